/**
 * The process around the requests: draining on SIGTERM, and a client that goes away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { corpusFile, corpusSkip } from '../support/corpus.js';
import { postForm, seal } from '../support/http.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';

const PATH = '/identity/silent_image_verification/stateless';
let fields: Record<string, string>;

/** The decoder processes (not tsx's esbuild service) a process has running. */
const childrenOf = (pid: number): string[] => {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(pid)])
      .toString()
      .trim()
      .split('\n')
      .filter((c) => /ff(mpeg|probe)/.test(c));
  } catch {
    return []; // ps exits 1 when there are none
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('process lifecycle', { skip: corpusSkip }, () => {
  before(async () => {
    fields = {
      encrypted_image: seal(await readFile(corpusFile('ageitgey__face_recognition/obama.jpg'))),
      encrypted_video: seal(await readFile(corpusFile('KwaiVGI__LivePortrait/driving_d3.mp4'))),
    };
  });

  describe('a client that disconnects mid-request', () => {
    let svc: VerifierProcess;
    before(async () => (svc = await startVerifierProcess()));
    after(async () => assert.equal(await svc.stop(), 0));

    test('cancels its work: no decoder process and no temp file outlives it', async () => {
      for (const delay of [30, 120, 300]) {
        const ctl = new AbortController();
        const pending = fetch(new URL(PATH, svc.url), {
          method: 'POST',
          body: new URLSearchParams(fields),
          signal: ctl.signal,
        });
        await sleep(delay);
        ctl.abort();
        await assert.rejects(pending);
        await sleep(700);
        assert.deepEqual(childrenOf(svc.child.pid!), [], `after an abort at ${delay} ms`);
        assert.deepEqual(await svc.leftoverTempDirs(), []);
      }
      // And the service still answers.
      assert.equal((await postForm(svc.url, fields)).status, 200);
    });
  });

  test('a saturated pod answers 5003 with Retry-After at once, and recovers', async () => {
    const svc = await startVerifierProcess({
      MAX_CONCURRENT_REQUESTS: '1',
      MAX_QUEUED_REQUESTS: '1',
    });
    try {
      const replies = await Promise.all(Array.from({ length: 4 }, () => postForm(svc.url, fields)));
      const refused = replies.filter((r) => r.status === 503);
      assert.ok(refused.length >= 1, replies.map((r) => r.status).join(','));
      for (const r of refused) {
        assert.equal(r.json.code, 5003);
        assert.equal(r.headers['retry-after'], '1');
      }
      assert.ok(replies.some((r) => r.status === 200));
      assert.equal((await postForm(svc.url, fields)).status, 200);
      const metrics = await (await fetch(new URL('/metrics', svc.url))).text();
      assert.match(metrics, /silentid_requests_total\{[^}]*code="5003"[^}]*\} [1-9]/);
      assert.match(metrics, /silentid_queue_depth 0/);
    } finally {
      assert.equal(await svc.stop(), 0);
    }
  });

  test('SIGTERM drains: the in-flight request completes, new connections are refused, exit 0', async () => {
    const svc = await startVerifierProcess();
    const inFlight = postForm(svc.url, fields);
    await sleep(150);
    const exit = svc.stop();
    const reply = await inFlight;
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
    assert.equal(reply.json.code, 1000);
    assert.equal(await exit, 0);
    await assert.rejects(fetch(new URL('/healthz', svc.url)));
  });
});
