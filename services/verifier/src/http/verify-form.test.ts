import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors/api-error.js';
import { booleanField, requiredField } from './verify-form.js';

const codeOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof ApiError ? e.code : -1;
  }
  return undefined;
};

test('booleans: true/false in any case and 1/0; absent is false; anything else is 1200 naming the field', () => {
  for (const v of ['true', 'TRUE', 'True', '1']) assert.equal(booleanField({ f: v }, 'f'), true);
  for (const v of ['false', 'FALSE', '0']) assert.equal(booleanField({ f: v }, 'f'), false);
  assert.equal(booleanField({}, 'f'), false);
  for (const v of ['yes', '', '2', 'on'])
    assert.equal(
      codeOf(() => booleanField({ f: v }, 'f')),
      1200,
    );
  assert.throws(() => booleanField({ auto_rotate: 'yes' }, 'auto_rotate'), /auto_rotate must be/);
});

test('required fields: missing and empty are told apart, values are never echoed', () => {
  assert.throws(() => requiredField({}, 'encrypted_image'), /encrypted_image is required/);
  assert.throws(
    () => requiredField({ encrypted_image: '  ' }, 'encrypted_image'),
    /encrypted_image is empty/,
  );
  assert.equal(requiredField({ encrypted_image: 'abc' }, 'encrypted_image'), 'abc');
});
