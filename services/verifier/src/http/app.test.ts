/**
 * HTTP hygiene of the real service over real sockets: 405 with Allow, the body limit
 * before the body, a queued request whose client goes away, and the access log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect,
  startTestVerifier,
  waitFor,
  within,
  type TestVerifier,
} from '../testing/test-verifier.js';
import { IMAGE_VERIFICATION_PATH } from './routes/image-verification.js';
import { LIVENESS_PATH } from './routes/liveness.js';
import { VERIFY_PATH } from './routes/verification.js';

const POST_PATHS = [VERIFY_PATH, LIVENESS_PATH, IMAGE_VERIFICATION_PATH];
const FORM = 'Content-Type: application/x-www-form-urlencoded';
const MiB = 1024 * 1024;

/** The status and JSON body of a raw exchange's answer. */
function answer(raw: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  const json = body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1);
  return { status, headers: head, body: JSON.parse(json) as Record<string, unknown> };
}

describe('HTTP hygiene', () => {
  let svc: TestVerifier;
  before(async () => {
    svc = await startTestVerifier({
      MAX_BODY_BYTES: String(MiB),
      MAX_CONCURRENT_REQUESTS: '1',
      MAX_QUEUED_REQUESTS: '4',
    });
  });
  after(() => svc.stop());

  test('a method the path does not have is 405, code 1200, with Allow listing those it has', async () => {
    for (const path of POST_PATHS) {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        const res = await fetch(`${svc.url}${path}`, { method });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get('allow'), 'POST');
        const body = (await res.json()) as Record<string, unknown>;
        assert.equal(body.code, 1200);
        assert.match(String(body.message), new RegExp(`${method} is not allowed.*use POST`));
        assert.equal(body.request_id, res.headers.get('x-request-id'));
      }
    }
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      const res = await fetch(`${svc.url}${path}`, { method: 'POST', body: '' });
      assert.equal(res.status, 405, path);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      await res.body?.cancel();
    }
    const unknown = await fetch(`${svc.url}/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('allow'), null);
    await unknown.body?.cancel();
  });

  test('413 before the body: at a too-large Content-Length, with no body byte sent', async () => {
    const conn = await connect(svc.port);
    conn.socket.write(
      `POST ${VERIFY_PATH} HTTP/1.1\r\nHost: x\r\n${FORM}\r\nContent-Length: 1000000000\r\n\r\n`,
    );
    await waitFor('the 413', () => conn.received().includes('}'));
    const { status, body } = answer(conn.received());
    assert.equal(status, 413);
    assert.equal(body.code, 2004);
    conn.socket.destroy();
  });

  test('413 before the body: a chunked body is refused at the first chunk past the limit', async () => {
    const conn = await connect(svc.port);
    conn.socket.write(
      `POST ${VERIFY_PATH} HTTP/1.1\r\nHost: x\r\n${FORM}\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    conn.socket.write(`100000\r\n${'a'.repeat(MiB)}\r\n`); // exactly the limit: still reading
    conn.socket.write(`1\r\na\r\n`); // one byte past it; the body never ends
    await waitFor('the 413', () => conn.received().includes('}'));
    const { status, body } = answer(conn.received());
    assert.equal(status, 413);
    assert.equal(body.code, 2004);
    conn.socket.destroy();
  });

  test('a queued request whose client goes away leaves the queue at once', async () => {
    // The only slot: a request whose body stops half way.
    const holder = await connect(svc.port);
    holder.socket.write(
      `POST ${VERIFY_PATH} HTTP/1.1\r\nHost: x\r\n${FORM}\r\nContent-Length: 4000\r\n\r\nencrypted_image=`,
    );
    await waitFor(
      'the holder in flight',
      async () => (await svc.metric('silentid_inflight_requests')) === 1,
    );
    // Queued behind it, with more body than a socket buffers: the server must keep
    // reading it to notice the close (a paused socket reports none).
    const queued = await connect(svc.port);
    queued.socket.write(
      `POST ${LIVENESS_PATH} HTTP/1.1\r\nHost: x\r\n${FORM}\r\nContent-Length: ${MiB}\r\n\r\n`,
    );
    queued.socket.write(`encrypted_video=${'A'.repeat(MiB / 2)}`);
    await waitFor(
      'one request queued',
      async () => (await svc.metric('silentid_queue_depth')) === 1,
    );
    queued.socket.destroy();
    await waitFor(
      'the queue empty again',
      async () => (await svc.metric('silentid_queue_depth')) === 0,
    );
    assert.equal(await svc.metric('silentid_inflight_requests'), 1, 'the holder still runs');
    holder.socket.destroy();
    await waitFor(
      'nothing in flight',
      async () => (await svc.metric('silentid_inflight_requests')) === 0,
    );
  });

  test('the access log line: client, method, path, status, code, duration, request id', async () => {
    const res = await fetch(`${svc.url}${IMAGE_VERIFICATION_PATH}?q=1`, {
      method: 'POST',
      headers: { 'x-request-id': 'access-log-1', 'x-forwarded-for': '203.0.113.7' },
      body: new URLSearchParams({ first_encrypted_image: 'not base64!' }),
    });
    assert.equal(res.status, 400);
    await res.body?.cancel();
    let line: Record<string, unknown> | undefined;
    await waitFor('the access log line', () => {
      line = svc.logs().find((l) => l.requestId === 'access-log-1' && l.msg === 'request');
      return line !== undefined;
    });
    assert.deepEqual(
      { ...line, time: undefined, pid: undefined, hostname: undefined, ms: undefined },
      {
        level: 30,
        time: undefined,
        pid: undefined,
        hostname: undefined,
        service: 'silentid-verifier',
        requestId: 'access-log-1',
        // TRUST_PROXY is off: the header is not believed.
        client: '127.0.0.1',
        method: 'POST',
        path: IMAGE_VERIFICATION_PATH,
        route: IMAGE_VERIFICATION_PATH,
        status: 400,
        code: 1200,
        ms: undefined,
        msg: 'request',
      },
    );
    assert.equal(typeof line?.ms, 'number');
  });
});

test('TRUST_PROXY with ranges: the client is the first X-Forwarded-For hop outside them', async () => {
  const svc = await startTestVerifier({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
  try {
    const clientOf = async (id: string, forwardedFor?: string) => {
      const headers: Record<string, string> = { 'x-request-id': id };
      if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
      await (await fetch(`${svc.url}/healthz`, { headers })).body?.cancel();
      let client: unknown;
      await waitFor(`${id} logged`, () => {
        client = svc.logs().find((l) => l.requestId === id && l.msg === 'request')?.client;
        return client !== undefined;
      });
      return client;
    };
    // What the client wrote itself (the leftmost) is never believed past an untrusted hop.
    assert.equal(await clientOf('a', '192.0.2.1, 198.51.100.7, 10.1.2.3'), '198.51.100.7');
    assert.equal(await clientOf('b', '10.9.9.9, 10.1.2.3'), '10.9.9.9');
    assert.equal(await clientOf('c'), '127.0.0.1');
  } finally {
    await svc.stop();
  }
});

test('a queued request is not held up by its own body: it is received while it waits', async () => {
  const svc = await startTestVerifier({ MAX_CONCURRENT_REQUESTS: '1', MAX_QUEUED_REQUESTS: '1' });
  try {
    const holder = await connect(svc.port);
    holder.socket.write(
      `POST ${VERIFY_PATH} HTTP/1.1\r\nHost: x\r\n${FORM}\r\nContent-Length: 4000\r\n\r\nencrypted_image=`,
    );
    await waitFor(
      'the holder in flight',
      async () => (await svc.metric('silentid_inflight_requests')) === 1,
    );
    // A queued request whose body is not a form is answered without waiting for a slot.
    const res = await within(
      'the answer while the slot is still held',
      fetch(`${svc.url}${LIVENESS_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
      10_000,
    );
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /form/);
    assert.equal(await svc.metric('silentid_queue_depth'), 0);
    holder.socket.destroy();
  } finally {
    await svc.stop();
  }
});
