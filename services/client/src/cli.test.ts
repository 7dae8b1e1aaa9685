import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe } from './cli.js';

test('describe prints the decision, the score with its false-match rate, and the request id', () => {
  const text = describe(200, {
    code: 1000,
    passed: true,
    liveness_score: 0.91,
    liveness_status: 'ok',
    verification_score: 0.8,
    request_id: 'r1',
  });
  assert.match(text, /PASSED/);
  assert.match(text, /YES/);
  assert.match(text, /1\.0e-5/);
  assert.match(text, /r1/);
});

test('describe prints an error with its code and HTTP status', () => {
  assert.match(
    describe(400, { code: 4000, message: 'no face detected', request_id: 'r2' }),
    /error 4000 \(HTTP 400\): no face/,
  );
});
