import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_KEY, DEFAULT_NONCE, sealToBase64 } from '@silentid/client';
import { ApiError } from '../errors/api-error.js';
import { KeyRing } from './key-ring.js';
import { decodeLenientBase64 } from './lenient-base64.js';

const VECTOR = '7EWZ/NNZbCM9JlyLTjO1UvngBwbwg/4OZAuYBwE=';
const ring = new KeyRing([{ key: DEFAULT_KEY, nonce: DEFAULT_NONCE }]);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof ApiError ? e.code : -1;
  }
  return 0;
};

test('opens the ENCRYPTION.md test vector', () => {
  assert.equal(ring.open('encrypted_image', VECTOR, 100).toString(), 'hello senseid');
});

test('tolerates spaces for plus signs (curl -d) and MIME line breaks', () => {
  const long = sealToBase64(Buffer.alloc(300, 0xfb));
  assert.ok(long.includes('+'));
  const curlish = long.replace(/\+/g, ' ');
  const mime = long.replace(/(.{76})/g, '$1\r\n');
  assert.equal(ring.open('f', curlish, 1000).length, 300);
  assert.equal(ring.open('f', mime, 1000).length, 300);
});

test('a wrong key, bad Base64 or an altered field is 1200', () => {
  const other = new KeyRing([{ key: 'k'.repeat(32), nonce: 'n'.repeat(12) }]);
  assert.equal(
    code(() => other.open('f', VECTOR, 100)),
    1200,
  );
  assert.equal(
    code(() => ring.open('f', 'not base64!', 100)),
    1200,
  );
  assert.equal(
    code(() => ring.open('f', 'A', 100)),
    1200,
  );
  assert.equal(
    code(() => ring.open('f', VECTOR.slice(0, -8), 100)),
    1200,
  );
});

test('the size limit is checked on the ciphertext, at its edge, before decrypting', () => {
  // 13 bytes of plaintext: allowed at 13, refused at 12.
  assert.equal(ring.open('f', VECTOR, 13).length, 13);
  assert.equal(
    code(() => ring.open('f', VECTOR, 12)),
    2004,
  );
});

test('a rotated ring accepts the previous pair during the window', () => {
  const rotated = new KeyRing([
    { key: 'a'.repeat(32), nonce: 'b'.repeat(12) },
    { key: DEFAULT_KEY, nonce: DEFAULT_NONCE },
  ]);
  assert.equal(rotated.open('f', VECTOR, 100).toString(), 'hello senseid');
  assert.equal(
    rotated
      .open('f', sealToBase64(Buffer.from('new'), 'a'.repeat(32), 'b'.repeat(12)), 100)
      .toString(),
    'new',
  );
});

test('decodeLenientBase64 accepts unpadded input and refuses stray characters', () => {
  assert.equal(decodeLenientBase64('aGk')?.toString(), 'hi');
  assert.equal(decodeLenientBase64('aGk=')?.toString(), 'hi');
  assert.equal(decodeLenientBase64('aG*k'), undefined);
  assert.equal(decodeLenientBase64(''), undefined);
});

test('a tag no key opens is told apart (the lock-out counts it); bad Base64 is not', () => {
  const reason = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e instanceof ApiError ? e.reason : 'not an ApiError';
    }
    return 'no error';
  };
  const other = new KeyRing([{ key: 'k'.repeat(32), nonce: 'n'.repeat(12) }]);
  assert.equal(
    reason(() => other.open('f', VECTOR, 100)),
    'undecryptable',
  );
  assert.equal(
    reason(() => ring.open('f', 'not base64!', 100)),
    undefined,
  );
});
