import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ApiError } from '../errors/api-error.js';
import { flagField, parseForm, sealedField } from './verify-form.js';

const form = z.object({ encrypted_image: sealedField('photo'), auto_rotate: flagField('rotate') });

/** The 1200 message of a form that fails, or undefined when it passes. */
const refusal = (fields: Record<string, string>): string | undefined => {
  try {
    parseForm(form, fields);
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 1200);
    return e.message;
  }
  return undefined;
};

test('booleans: true/false in any case and 1/0; absent is false; anything else is 1200 naming the field', () => {
  const rotate = (v?: string) =>
    parseForm(form, { encrypted_image: 'abc', ...(v === undefined ? {} : { auto_rotate: v }) })
      .auto_rotate;
  for (const v of ['true', 'TRUE', 'True', ' 1 ']) assert.equal(rotate(v), true);
  for (const v of ['false', 'FALSE', '0']) assert.equal(rotate(v), false);
  assert.equal(rotate(), false);
  for (const v of ['yes', '', '2', 'on'])
    assert.equal(
      refusal({ encrypted_image: 'abc', auto_rotate: v }),
      'auto_rotate must be true, false, 1 or 0',
    );
});

test('required fields: missing and empty are told apart, values are never echoed', () => {
  assert.equal(refusal({}), 'encrypted_image is required');
  assert.equal(refusal({ encrypted_image: '  ' }), 'encrypted_image is empty');
  assert.equal(parseForm(form, { encrypted_image: 'abc' }).encrypted_image, 'abc');
  assert.doesNotMatch(refusal({ encrypted_image: 'abc', auto_rotate: 'SECRET' }) ?? '', /SECRET/);
});

test('the first problem in field order is the one reported; unknown fields are ignored', () => {
  assert.equal(refusal({ auto_rotate: 'yes' }), 'encrypted_image is required');
  assert.deepEqual(parseForm(form, { encrypted_image: 'abc', other: 'x' }), {
    encrypted_image: 'abc',
    auto_rotate: false,
  });
});
