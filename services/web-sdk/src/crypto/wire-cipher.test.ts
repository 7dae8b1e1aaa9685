/**
 * The WebCrypto cipher under Node's WebCrypto (the same W3C API the browser has) against
 * the spec's test vector and against services/client's node:crypto cipher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_KEY, DEFAULT_NONCE, openSealed, sealToBase64 as nodeSeal } from '@silentid/client';
import { openFromBase64, sealToBase64, SilentIdError, type WireKey } from '../index.js';

const DEV: WireKey = { key: DEFAULT_KEY, nonce: DEFAULT_NONCE };

test('the spec test vector: "hello senseid" with the default pair', async () => {
  const sealed = await sealToBase64(new TextEncoder().encode('hello senseid'), DEV);
  assert.equal(sealed, '7EWZ/NNZbCM9JlyLTjO1UvngBwbwg/4OZAuYBwE=');
  const opened = await openFromBase64(sealed, DEV);
  assert.equal(new TextDecoder().decode(opened), 'hello senseid');
});

test('byte for byte what the Node client seals, for a Blob larger than one Base64 slice', async () => {
  const bytes = new Uint8Array(200_003).map((_, i) => (i * 7919) % 256);
  const other: WireKey = { key: 'k'.repeat(32), nonce: 'n'.repeat(12) };
  const sealed = await sealToBase64(new Blob([bytes]), other);
  assert.equal(sealed, nodeSeal(bytes, other.key, other.nonce));
  const opened = openSealed(Buffer.from(sealed, 'base64'), other.key, other.nonce);
  assert.deepEqual(new Uint8Array(opened!), bytes);
});

test('a wrong key, altered data or non-Base64 opens to nothing', async () => {
  const sealed = await sealToBase64(new TextEncoder().encode('x'), DEV);
  assert.equal(await openFromBase64(sealed, { key: 'a'.repeat(32), nonce: DEV.nonce }), undefined);
  const altered = (sealed[0] === 'A' ? 'B' : 'A') + sealed.slice(1);
  assert.equal(await openFromBase64(altered, DEV), undefined);
  assert.equal(await openFromBase64('not base64 at all!', DEV), undefined);
});

test('a key or nonce of the wrong length is a bad-key error naming which', async () => {
  const data = new Uint8Array([1]);
  await assert.rejects(
    sealToBase64(data, { key: 'short', nonce: DEV.nonce }),
    (e: unknown) =>
      e instanceof SilentIdError && e.reason === 'bad-key' && /key must be 32/.test(e.message),
  );
  // 12 characters but not 12 bytes: the nonce is used as UTF-8.
  await assert.rejects(
    sealToBase64(data, { key: DEV.key, nonce: 'é'.repeat(12) }),
    (e: unknown) =>
      e instanceof SilentIdError && /nonce must be 12 bytes of UTF-8, got 24/.test(e.message),
  );
});
