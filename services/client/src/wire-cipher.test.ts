import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_KEY,
  DEFAULT_NONCE,
  openSealed,
  sealToBase64,
  CipherKeyError,
} from './wire-cipher.js';

// The test vector of spec/ENCRYPTION.md, checked there against the vendor's Java class.
const VECTOR = '7EWZ/NNZbCM9JlyLTjO1UvngBwbwg/4OZAuYBwE=';

test('encrypts the ENCRYPTION.md test vector byte for byte', () => {
  assert.equal(sealToBase64(Buffer.from('hello senseid', 'utf8')), VECTOR);
});

test('opens the test vector with the default key and nonce', () => {
  const opened = openSealed(Buffer.from(VECTOR, 'base64'), DEFAULT_KEY, DEFAULT_NONCE);
  assert.equal(opened?.toString('utf8'), 'hello senseid');
});

test('a wrong key, a wrong nonce, a flipped bit or a truncation fails the tag', () => {
  const sealed = Buffer.from(VECTOR, 'base64');
  assert.equal(openSealed(sealed, 'x'.repeat(32), DEFAULT_NONCE), undefined);
  assert.equal(openSealed(sealed, DEFAULT_KEY, 'y'.repeat(12)), undefined);
  const flipped = Buffer.from(sealed);
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  assert.equal(openSealed(flipped, DEFAULT_KEY, DEFAULT_NONCE), undefined);
  assert.equal(
    openSealed(sealed.subarray(0, sealed.length - 1), DEFAULT_KEY, DEFAULT_NONCE),
    undefined,
  );
  assert.equal(openSealed(sealed.subarray(0, 10), DEFAULT_KEY, DEFAULT_NONCE), undefined);
});

test('round-trips binary data and the empty message', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
  const sealed = Buffer.from(sealToBase64(data), 'base64');
  assert.deepEqual(openSealed(sealed, DEFAULT_KEY, DEFAULT_NONCE), data);
  assert.equal(
    openSealed(Buffer.from(sealToBase64(Buffer.alloc(0)), 'base64'), DEFAULT_KEY, DEFAULT_NONCE)
      ?.length,
    0,
  );
});

test('rejects keys and nonces of the wrong length instead of padding them', () => {
  assert.throws(() => sealToBase64(Buffer.from('x'), 'short', DEFAULT_NONCE), CipherKeyError);
  assert.throws(() => sealToBase64(Buffer.from('x'), DEFAULT_KEY, 'short'), CipherKeyError);
});
