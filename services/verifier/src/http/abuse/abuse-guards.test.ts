/**
 * The per-client defences over HTTP, on the real service with the built-in models: each
 * setting on its own, clients told apart by X-Forwarded-For (TRUST_PROXY=true).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sealToBase64 } from '@silentid/client';
import { samplePhoto } from '../../testing/sample-faces.js';
import { startTestVerifier, waitFor, type TestVerifier } from '../../testing/test-verifier.js';
import { IMAGE_VERIFICATION_PATH } from '../routes/image-verification.js';
import { LIVENESS_PATH } from '../routes/liveness.js';
import { AbuseGuards } from './abuse-guards.js';

/** Samples 2 and 5 show different people (their most prominent faces score ~0.34). */
const PERSON = sealToBase64(readFileSync(samplePhoto(2)));
const OTHER = sealToBase64(readFileSync(samplePhoto(5)));
const WRONG_KEY = sealToBase64(readFileSync(samplePhoto(2)), 'k'.repeat(32), 'n'.repeat(12));

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { code: number; message?: string; verification_score?: number };
}

async function post(
  svc: TestVerifier,
  client: string,
  path: string,
  fields: Record<string, string>,
): Promise<Answer> {
  const res = await fetch(`${svc.url}${path}`, {
    method: 'POST',
    headers: { 'x-forwarded-for': client },
    body: new URLSearchParams(fields),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Answer['body'],
  };
}

const compare = (svc: TestVerifier, client: string, first: string, second: string) =>
  post(svc, client, IMAGE_VERIFICATION_PATH, {
    first_encrypted_image: first,
    second_encrypted_image: second,
  });

/** Asserts a 429 with `code` and a Retry-After of 1…`maxSeconds`. */
function assertRefused(a: Answer, code: number, maxSeconds: number): void {
  assert.equal(a.status, 429, JSON.stringify(a.body));
  assert.equal(a.body.code, code);
  const wait = Number(a.retryAfter);
  assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= maxSeconds, `Retry-After ${wait}`);
}

test('all off by default: many requests, rejections and replays from one client pass', async () => {
  const svc = await startTestVerifier({ TRUST_PROXY: 'true' });
  try {
    for (let i = 0; i < 4; i++) {
      assert.equal((await compare(svc, '192.0.2.1', PERSON, WRONG_KEY)).status, 400);
      assert.equal((await compare(svc, '192.0.2.1', PERSON, OTHER)).status, 200);
    }
  } finally {
    await svc.stop();
  }
});

describe('RATE_LIMIT_PER_MINUTE', () => {
  let svc: TestVerifier;
  before(async () => {
    svc = await startTestVerifier({
      TRUST_PROXY: 'true',
      RATE_LIMIT_PER_MINUTE: '30',
      RATE_LIMIT_BURST: '2',
    });
  });
  after(() => svc.stop());

  const empty = (client: string) => post(svc, client, LIVENESS_PATH, {});

  test('a client past its burst is refused with 429, code 1300 and Retry-After; others are not', async () => {
    assert.equal((await empty('198.51.100.1')).status, 400);
    assert.equal((await empty('198.51.100.1')).status, 400);
    const refused = await empty('198.51.100.1');
    assertRefused(refused, 1300, 2);
    assert.match(refused.body.message ?? '', /too many requests/);
    assert.equal((await empty('198.51.100.2')).status, 400, 'another client');
    const health = await fetch(`${svc.url}/healthz`, {
      headers: { 'x-forwarded-for': '198.51.100.1' },
    });
    assert.equal(health.status, 200, 'GET endpoints are not limited');
    await health.body?.cancel();
    // One token every 2 s: the client is served again once Retry-After has passed.
    await waitFor(
      'the client served again',
      async () => (await empty('198.51.100.1')).status === 400,
      6000,
    );
  });

  test('IPv6 clients count per /64', async () => {
    assert.equal((await empty('2001:db8:1:2::a')).status, 400);
    assert.equal((await empty('2001:db8:1:2::b')).status, 400);
    assertRefused(await empty('2001:db8:1:2:ffff::c'), 1300, 2);
    assert.equal((await empty('2001:db8:1:3::a')).status, 400, 'the next /64');
  });
});

describe('LOCKOUT_FAILURES', () => {
  let svc: TestVerifier;
  before(async () => {
    svc = await startTestVerifier({
      TRUST_PROXY: 'true',
      LOCKOUT_FAILURES: '2',
      LOCKOUT_SECONDS: '2',
    });
  });
  after(() => svc.stop());

  test('fields no key opens lock the client out: 429, code 1301, until LOCKOUT_SECONDS pass', async () => {
    for (let i = 0; i < 2; i++) {
      const a = await compare(svc, '203.0.113.1', PERSON, WRONG_KEY);
      assert.equal(a.status, 400);
      assert.match(a.body.message ?? '', /could not be decrypted/);
    }
    const locked = await compare(svc, '203.0.113.1', PERSON, PERSON);
    assertRefused(locked, 1301, 2);
    assert.match(locked.body.message ?? '', /rejected attempts/);
    assert.equal((await compare(svc, '203.0.113.2', PERSON, PERSON)).status, 200, 'another client');
    await waitFor(
      'the lock-out over',
      async () => (await compare(svc, '203.0.113.1', PERSON, WRONG_KEY)).status === 400,
      6000,
    );
  });

  test('scores under the threshold are rejections; a match ends the run', async () => {
    const rejected = await compare(svc, '203.0.113.3', PERSON, OTHER);
    assert.equal(rejected.status, 200);
    assert.ok(rejected.body.verification_score! < 0.7, `${rejected.body.verification_score}`);
    const matched = await compare(svc, '203.0.113.3', PERSON, PERSON);
    assert.ok(matched.body.verification_score! >= 0.7, `${matched.body.verification_score}`);
    assert.equal((await compare(svc, '203.0.113.3', PERSON, OTHER)).status, 200, 'not in a row');
    assert.equal((await compare(svc, '203.0.113.3', PERSON, OTHER)).status, 200);
    assertRefused(await compare(svc, '203.0.113.3', PERSON, PERSON), 1301, 2);
  });

  test('other bad input (not Base64) is not counted', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await compare(svc, '203.0.113.4', 'not base64!', PERSON)).status, 400);
  });

  test('a liveness decision of not live is a rejection', () => {
    const guards = new AbuseGuards({
      rateLimit: { perMinute: 0, burst: 1 },
      lockout: { failures: 2, windowSeconds: 60, lockSeconds: 60, verificationThreshold: 0.7 },
      replayWindowSeconds: 0,
    });
    guards.answered('192.0.2.9', { passed: false });
    guards.answered('192.0.2.9', { passed: true, verification_score: 0.9 });
    guards.answered('192.0.2.9', { passed: false });
    assert.doesNotThrow(() => guards.checkLockout('192.0.2.9'), 'a pass ended the run');
    guards.answered('192.0.2.9', { passed: true, verification_score: 0.5 });
    assert.throws(() => guards.checkLockout('192.0.2.9'), { code: 1301 });
  });
});

describe('REPLAY_WINDOW_SECONDS', () => {
  let svc: TestVerifier;
  before(async () => {
    svc = await startTestVerifier({ REPLAY_WINDOW_SECONDS: '2' });
  });
  after(() => svc.stop());

  test('an exact replay of an answered request is 409, code 1201, for the window', async () => {
    assert.equal((await compare(svc, '192.0.2.50', PERSON, OTHER)).status, 200);
    const replay = await compare(svc, '192.0.2.50', PERSON, OTHER);
    assert.equal(replay.status, 409);
    assert.equal(replay.body.code, 1201);
    assert.match(replay.body.message ?? '', /repeats one already answered/);
    // The same bytes spelt otherwise (curl -d's spaces, MIME line breaks) are the same.
    const spaced = await compare(
      svc,
      '192.0.2.50',
      PERSON.replace(/\+/g, ' '),
      OTHER.replace(/(.{76})/g, '$1\r\n'),
    );
    assert.equal(spaced.status, 409);
    assert.equal((await compare(svc, '192.0.2.50', OTHER, PERSON)).status, 200, 'other bytes');
    await waitFor(
      'the window over',
      async () => (await compare(svc, '192.0.2.50', PERSON, OTHER)).status === 200,
      6000,
    );
  });

  test('a request that was not answered (an error) may be sent again', async () => {
    for (let i = 0; i < 2; i++)
      assert.equal((await compare(svc, '192.0.2.50', OTHER, WRONG_KEY)).status, 400);
  });
});
