/**
 * submitVerification against a stand-in fetch: the form it builds (sealed for the
 * service, plain for a forwarding backend) and how each kind of answer comes back.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_KEY, DEFAULT_NONCE, openSealed } from '@silentid/client';
import { SilentIdError, submitVerification, type Transport } from '../index.js';

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

/** Replaces fetch: records the form sent, answers with `reply`. */
function stubFetch(reply: () => Response): { sent: () => FormData } {
  let form: FormData | undefined;
  globalThis.fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    form = init?.body as FormData;
    return reply();
  }) as typeof fetch;
  return { sent: () => form! };
}

const photo = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
const video = new Blob([new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 9, 9])], { type: 'video/webm' });
const sealed: Transport = {
  kind: 'sealed',
  url: 'http://pod/identity/silent_image_verification/stateless',
  key: async () => ({ key: DEFAULT_KEY, nonce: DEFAULT_NONCE }),
};
const ok = { code: 1000, passed: true, liveness_score: 0.99, request_id: 'r1' };

test("sealed: the service's form, each field opening with its key, and the flags asked for", async () => {
  const fetchStub = stubFetch(() => Response.json(ok));
  const answer = await submitVerification(
    { photo, video },
    { transport: sealed, flags: { returnStatus: true, returnDetails: false } },
  );
  assert.deepEqual(answer, ok);
  const form = fetchStub.sent();
  const open = (field: string) =>
    openSealed(Buffer.from(String(form.get(field)), 'base64'), DEFAULT_KEY, DEFAULT_NONCE);
  assert.deepEqual(new Uint8Array(open('encrypted_image')!), photo);
  assert.deepEqual(
    new Uint8Array(open('encrypted_video')!),
    new Uint8Array(await video.arrayBuffer()),
  );
  assert.equal(form.get('return_status'), 'true');
  assert.equal(form.get('return_details'), 'false');
  assert.equal(form.get('auto_rotate'), null, 'unset flags are not sent');
});

test('plain: files for a backend that seals and forwards; the photo may come from the backend', async () => {
  const fetchStub = stubFetch(() => Response.json(ok));
  await submitVerification({ video }, { transport: { kind: 'plain', url: 'http://app/verify' } });
  const form = fetchStub.sent();
  assert.ok(form.get('video') instanceof Blob);
  assert.equal(form.get('photo'), null);
  assert.equal(form.get('encrypted_video'), null, 'nothing sealed: the page holds no key');
  await assert.rejects(
    submitVerification({ video }, { transport: sealed }),
    (e: unknown) => e instanceof SilentIdError && e.reason === 'bad-input',
  );
});

test("an error answer is a SilentIdError carrying the service's code, status and request id", async () => {
  stubFetch(() =>
    Response.json(
      { code: 4000, message: 'encrypted_image: no face', request_id: 'r2' },
      { status: 400 },
    ),
  );
  await assert.rejects(
    submitVerification({ photo, video }, { transport: sealed }),
    (e: unknown) => {
      assert.ok(e instanceof SilentIdError);
      assert.deepEqual([e.reason, e.code, e.status, e.requestId], ['service', 4000, 400, 'r2']);
      assert.equal(e.message, 'encrypted_image: no face');
      return true;
    },
  );
});

test("nothing answering is `network`; an answer that is not the service's JSON is `bad-reply`", async () => {
  globalThis.fetch = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
  await assert.rejects(
    submitVerification({ photo, video }, { transport: sealed }),
    (e: unknown) => e instanceof SilentIdError && e.reason === 'network',
  );
  stubFetch(() => new Response('<html>502 Bad Gateway</html>', { status: 502 }));
  await assert.rejects(
    submitVerification({ photo, video }, { transport: sealed }),
    (e: unknown) => e instanceof SilentIdError && e.reason === 'bad-reply' && e.status === 502,
  );
});
