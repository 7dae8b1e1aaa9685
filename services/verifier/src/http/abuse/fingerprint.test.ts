import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint } from './fingerprint.js';

test('the same bytes spelt differently are one fingerprint; anything else differs', () => {
  const value = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)).toString(
    'base64',
  );
  assert.ok(value.includes('+'));
  const base = fingerprint('/p', [['f', value]]);
  assert.equal(fingerprint('/p', [['f', value.replace(/\+/g, ' ')]]), base, 'curl -d');
  assert.equal(fingerprint('/p', [['f', value.replace(/(.{76})/g, '$1\r\n')]]), base, 'MIME');
  assert.equal(
    fingerprint('/p', [['f', 'QQ==']]),
    fingerprint('/p', [['f', 'QR==']]),
    'unused bits',
  );
  assert.notEqual(fingerprint('/q', [['f', value]]), base, 'another endpoint');
  assert.notEqual(
    fingerprint('/p', [
      ['f', 'QUJD'],
      ['g', 'RA=='],
    ]),
    fingerprint('/p', [
      ['f', 'QUI='],
      ['g', 'Q0Q='],
    ]),
  );
  assert.equal(fingerprint('/p', [['f', 'not base64!']]), undefined);
});
