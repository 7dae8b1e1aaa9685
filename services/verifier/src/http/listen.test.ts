import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { connect, startTestVerifier, waitFor, within } from '../testing/test-verifier.js';
import { listen } from './listen.js';

const app = new Hono();
app.get('/x', (c) => c.text('ok'));
app.post('/x', async (c) => c.text(String((await c.req.text()).length)));
app.onError(() => new Response(null, { status: 500 })); // the 408 leaves a body unread

/** Small timeouts, so that each one is seen to pass within a test. */
const TIMEOUTS = { keepAliveTimeoutMs: 1500, headersTimeoutMs: 2500, requestTimeoutMs: 3000 };
let server: Server;
let port: number;

describe('the listener applies the configured connection timeouts', { concurrency: true }, () => {
  before(async () => {
    server = await listen(app.fetch, { port: 0, host: '127.0.0.1', http: TIMEOUTS });
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('an idle keep-alive connection is advertised and kept for the keep-alive timeout', async () => {
    const conn = await connect(port);
    conn.socket.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the answer', () => conn.received().endsWith('\r\n\r\nok'));
    const answeredAt = Date.now();
    assert.match(conn.received(), /^HTTP\/1\.1 200 /);
    assert.match(conn.received(), /\r\nKeep-Alive: timeout=1\r\n/i);
    assert.match(conn.received(), /\r\nConnection: keep-alive\r\n/i);
    const closedAt = await within('the idle connection to close', conn.closed, 10_000);
    // Node's own default would have closed it after 5 s; here it is exactly the setting.
    assert.ok(
      closedAt - answeredAt >= TIMEOUTS.keepAliveTimeoutMs - 100,
      `closed after ${closedAt - answeredAt} ms`,
    );
  });

  test('headers that never finish arriving are refused with 408 after the headers timeout', async () => {
    const conn = await connect(port);
    const sentAt = Date.now();
    conn.socket.write('GET /x HTTP/1.1\r\nHost: x\r\n');
    const closedAt = await within('the server to give up', conn.closed, 10_000);
    assert.match(conn.received(), /^HTTP\/1\.1 408 /);
    assert.ok(closedAt - sentAt >= TIMEOUTS.headersTimeoutMs - 100, `${closedAt - sentAt} ms`);
  });

  test('a body that never finishes arriving is refused with 408 after the request timeout', async () => {
    const conn = await connect(port);
    const sentAt = Date.now();
    conn.socket.write('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    const closedAt = await within('the server to give up', conn.closed, 10_000);
    assert.match(conn.received(), /^HTTP\/1\.1 408 /);
    assert.ok(closedAt - sentAt >= TIMEOUTS.requestTimeoutMs - 100, `${closedAt - sentAt} ms`);
  });
});

test('the service listens with the defaults: Keep-Alive 65 s, longer than a proxy’s 60 s', async () => {
  const svc = await startTestVerifier();
  try {
    const res = await fetch(`${svc.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('keep-alive'), 'timeout=65');
    await res.body?.cancel();
  } finally {
    await svc.stop();
  }
});
