/**
 * A short, seeded sample of `npm run fuzz` in every `npm test`: the same generator and
 * the same checks (e2e/fuzz/fuzz.ts) on a few hundred inputs against a real verifier
 * with a private TMPDIR: no 5xx, no request without an answer, the process alive and
 * healthy, and afterwards no child process, temp entry or extra descriptor left and RSS
 * within its bound. Corpus clips when present, else clips generated from the face-api
 * sample photos.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFuzz, summary } from '../fuzz/fuzz.js';
import { loadSeedMedia, type SeedMedia } from '../fuzz/seed-media.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';

/** The seed of the sample: fixed, so that a failure replays with `npm run fuzz -- --seed 15 --only I`. */
const SEED = 15;
const COUNT = 200;

let media: SeedMedia;
let svc: VerifierProcess;
let tmpDir: string;

before(async () => {
  media = await loadSeedMedia();
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'silentid-fuzz-sample-tmp-'));
  svc = await startVerifierProcess({ TMPDIR: tmpDir, LOG_LEVEL: 'warn' });
});
after(async () => {
  const code = await svc?.stop();
  await rm(tmpDir, { recursive: true, force: true });
  await media?.remove();
  assert.equal(code, 0, 'SIGTERM exits 0');
});

test(`fuzz sample: ${COUNT} seeded bad requests, no 5xx, no crash, nothing leaked`, async (t) => {
  const report = await runFuzz({
    url: svc.url,
    media,
    seed: SEED,
    count: COUNT,
    concurrency: 4,
    admissionLimit: 2 + 16,
    target: { pid: svc.child.pid!, tmpDir },
    settleTimeoutMs: 30_000,
    // onnxruntime's arenas and the allocator keep ~400 MiB after the first burst of decodes
    // (the 10,000-input run and the 30-min soak settle at ~1 GiB from a 600 MiB start, then
    // stay flat): here the bound only catches a gross leak; the figures are the full run's.
    rssSlackMiB: 768,
  });
  t.diagnostic(summary(report));
  assert.deepEqual(report.violations, [], summary(report));
  assert.equal(report.requests, COUNT);
});
