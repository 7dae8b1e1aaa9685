/**
 * `npm run soak -- --minutes N [--concurrency C]`: holds a real verifier at saturation
 * with valid requests (a real clip and photo from the corpus when present, else media
 * generated from the face-api sample photos) from C closed-loop clients, C above what
 * the service admits (MAX_CONCURRENT_REQUESTS + MAX_QUEUED_REQUESTS), so that some are
 * refused with 503 + Retry-After; a refused client waits what Retry-After says, as a
 * real one does, then sends again.
 *
 * Every minute it prints and records, of the requests completed in it, the p50/p95
 * latency of the 200s, 200s per second, the 503 share (and how many 503s lacked Retry-After), RSS, descriptors, child
 * processes and temp entries. At the end: the slopes of RSS (MiB/min) and descriptors
 * (per minute) over samples every 5 s, and, once the load has stopped and the service
 * has settled, the checks: no child process and no temp entry left; it also fails on
 * any other 5xx, an answer-less request, a 503 without Retry-After, or a crash.
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { VERIFY_PATH } from '../support/http.js';
import { validFields } from '../fuzz/cases.js';
import { alive, ProcWatch, type ProcSnapshot } from '../fuzz/proc-watch.js';
import { loadSeedMedia } from '../fuzz/seed-media.js';
import { send, type Outcome } from '../fuzz/send.js';
import { serviceUnderTest, type ServiceUnderTest } from '../fuzz/service-under-test.js';

const USAGE = `npm run soak -- --minutes N [options]
  --minutes N        how long to hold the load (required)
  --concurrency C    closed-loop clients (default MAX_CONCURRENT_REQUESTS + MAX_QUEUED_REQUESTS + 4 = 22)
  --media M          corpus (default; generated when absent) or generated
  --json FILE        write the report as JSON
  --url URL          load a running service instead of starting one; with it --pid P and
                     --tmpdir DIR enable the /proc and temp checks`;

const MAX_IN_FLIGHT = 2;
const MAX_QUEUED = 16;
const SAMPLE_MS = 5_000;

interface Sample extends ProcSnapshot {
  readonly atMinutes: number;
}

interface MinuteRow {
  readonly minute: number;
  readonly ok: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly okPerSecond: number;
  readonly attempts: number;
  readonly refused503: number;
  readonly share503: number;
  readonly missingRetryAfter: number;
  readonly other: Record<string, number>;
  readonly rssMiB: number;
  readonly fds: number;
  readonly children: number;
  readonly tempEntries: number;
}

const pct = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        minutes: { type: 'string' },
        concurrency: { type: 'string' },
        media: { type: 'string', default: 'corpus' },
        json: { type: 'string' },
        url: { type: 'string' },
        pid: { type: 'string' },
        tmpdir: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const minutes = Number(values.minutes);
  const concurrency = Number(values.concurrency ?? MAX_IN_FLIGHT + MAX_QUEUED + 4);
  if (!(minutes > 0) || !Number.isInteger(concurrency) || concurrency < 1) {
    console.error(`--minutes N (> 0) is required; --concurrency C an integer ≥ 1\n${USAGE}`);
    return 2;
  }
  if (values.media !== 'corpus' && values.media !== 'generated') {
    console.error(`--media: corpus or generated\n${USAGE}`);
    return 2;
  }
  const log = (line: string) => console.log(line);

  const media = await loadSeedMedia(values.media);
  let service: ServiceUnderTest | undefined;
  const cleanup = async () => {
    const code = await service?.stop();
    await media.remove();
    return code;
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    service = await serviceUnderTest({
      run: 'soak',
      url: values.url,
      pid: values.pid === undefined ? undefined : Number(values.pid),
      tmpDir: values.tmpdir,
      env: {
        LOG_LEVEL: 'warn',
        MAX_CONCURRENT_REQUESTS: String(MAX_IN_FLIGHT),
        MAX_QUEUED_REQUESTS: String(MAX_QUEUED),
      },
    });
    const { url } = service;
    const watch = service.target === undefined ? undefined : new ProcWatch(service.target);
    const fields = validFields('verify', media);
    const body = Buffer.from(new URLSearchParams(fields).toString());
    const request = {
      method: 'POST',
      path: VERIFY_PATH,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': body.length,
      },
      body,
      what: 'valid',
    };
    const clip = media.mp4[0]!.name;
    log(
      `soak: ${minutes} min, ${concurrency} clients against ${url} (admits ${MAX_IN_FLIGHT} + ${MAX_QUEUED} queued); photo ${media.photo.name}, clip ${clip}`,
    );
    // One request to warm up, then the baseline.
    const first = await send(url, request, 120_000);
    if (first.kind !== 'answer' || first.status !== 200)
      throw new Error(`the first valid request failed: ${JSON.stringify(first)}`);
    const baseline = watch?.snapshot();

    const records: { t: number; o: Outcome }[] = [];
    const t0 = performance.now();
    const endAt = t0 + minutes * 60_000;
    const elapsedMin = () => (performance.now() - t0) / 60_000;
    const samples: Sample[] = [];
    const sampler = setInterval(() => {
      if (watch === undefined || !alive(watch.target.pid)) return;
      samples.push({ atMinutes: elapsedMin(), ...watch.snapshot() });
    }, SAMPLE_MS);

    const rows: MinuteRow[] = [];
    let reported = 0;
    const reportMinute = (minute: number) => {
      const from = (minute - 1) * 60_000;
      const to = minute * 60_000;
      const window = records.filter((r) => r.t >= from && r.t < to);
      const okMs = window
        .flatMap((r) => (r.o.kind === 'answer' && r.o.status === 200 ? [r.o.ms] : []))
        .sort((a, b) => a - b);
      const refused = window.filter((r) => r.o.kind === 'answer' && r.o.status === 503);
      const other: Record<string, number> = {};
      for (const r of window) {
        const k =
          r.o.kind === 'answer'
            ? String(r.o.status)
            : r.o.kind === 'timeout'
              ? 'timeout'
              : r.o.error;
        if (k !== '200' && k !== '503') other[k] = (other[k] ?? 0) + 1;
      }
      const snap = watch?.snapshot();
      const row: MinuteRow = {
        minute,
        ok: okMs.length,
        p50Ms: pct(okMs, 50),
        p95Ms: pct(okMs, 95),
        okPerSecond: Math.round((okMs.length / 60) * 100) / 100,
        attempts: window.length,
        refused503: refused.length,
        share503:
          window.length === 0 ? 0 : Math.round((refused.length / window.length) * 1000) / 1000,
        missingRetryAfter: refused.filter((r) => r.o.kind === 'answer' && !r.o.retryAfter).length,
        other,
        rssMiB: snap?.rssMiB ?? NaN,
        fds: snap?.fds ?? NaN,
        children: snap?.children.length ?? NaN,
        tempEntries: snap?.tempEntries.length ?? NaN,
      };
      rows.push(row);
      log(
        `min ${minute}: 200s ${row.ok} (${row.okPerSecond}/s), p50 ${row.p50Ms} ms, p95 ${row.p95Ms} ms; 503 ${row.refused503}/${row.attempts} (${(row.share503 * 100).toFixed(1)} %, ${row.missingRetryAfter} without Retry-After); other ${JSON.stringify(other)}; RSS ${row.rssMiB} MiB, fds ${row.fds}, children ${row.children}, temp ${row.tempEntries}`,
      );
    };
    const ticker = setInterval(() => {
      const whole = Math.floor(elapsedMin());
      while (reported < whole && reported < Math.ceil(minutes)) reportMinute(++reported);
    }, 1000);

    const client = async () => {
      while (performance.now() < endAt) {
        const o = await send(url, request, 120_000);
        // Counted in the minute it completed: a request waits ~10 s in the queue.
        records.push({ t: performance.now() - t0, o });
        if (o.kind === 'answer' && o.status === 503) {
          const wait = Number(o.retryAfter);
          await sleep(Number.isFinite(wait) && wait > 0 ? wait * 1000 : 1000);
        } else if (o.kind !== 'answer') {
          if (watch !== undefined && !alive(watch.target.pid)) return;
          await sleep(1000); // not a tight loop against a service that is gone
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    clearInterval(sampler);
    clearInterval(ticker);
    while (reported < Math.ceil(minutes)) reportMinute(++reported);
    const loadSeconds = (performance.now() - t0) / 1000;

    const violations: string[] = [];
    const all = records.map((r) => r.o);
    const count = (f: (o: Outcome) => boolean) => all.filter(f).length;
    const server5xx = count((o) => o.kind === 'answer' && o.status >= 500 && o.status !== 503);
    const noAnswer = count((o) => o.kind !== 'answer');
    const missingRetryAfter = count(
      (o) => o.kind === 'answer' && o.status === 503 && !o.retryAfter,
    );
    if (server5xx > 0) violations.push(`${server5xx} 5xx other than 503`);
    if (noAnswer > 0) violations.push(`${noAnswer} requests without an answer`);
    if (missingRetryAfter > 0) violations.push(`${missingRetryAfter} 503 without Retry-After`);

    let after: ProcSnapshot | undefined;
    if (watch !== undefined) {
      if (!alive(watch.target.pid)) violations.push('the service process is gone');
      else {
        after = await watch.settled(baseline!.fds, 8, 60_000);
        // The lowest RSS over up to 30 s (the allocator gives memory back lazily, if at all).
        after = { ...after, rssMiB: await watch.rssSettled(baseline!.rssMiB, 30_000) };
      }
      if (after !== undefined && after.children.length > 0)
        violations.push(`processes left: ${after.children.join(', ')}`);
      if (after !== undefined && after.tempEntries.length > 0)
        violations.push(`temp entries left: ${after.tempEntries.join(', ')}`);
    }
    const loaded = samples.filter((s) => s.atMinutes <= minutes);
    const rssSlope = slope(
      loaded.map((s) => s.atMinutes),
      loaded.map((s) => s.rssMiB),
    );
    const fdSlope = slope(
      loaded.map((s) => s.atMinutes),
      loaded.map((s) => s.fds),
    );
    // Past the first minute (allocator arenas and caches still growing to their working size).
    const steady = loaded.filter((s) => s.atMinutes >= 1);
    const rssSlopeSteady = slope(
      steady.map((s) => s.atMinutes),
      steady.map((s) => s.rssMiB),
    );
    const ok = count((o) => o.kind === 'answer' && o.status === 200);
    const refused = count((o) => o.kind === 'answer' && o.status === 503);
    const totals = {
      requests: all.length,
      ok,
      refused503: refused,
      share503: Math.round((refused / Math.max(1, all.length)) * 1000) / 1000,
      okPerSecond: Math.round((ok / loadSeconds) * 100) / 100,
      server5xx,
      noAnswer,
      missingRetryAfter,
    };
    const exitCode = await cleanup();
    if (service.startedHere && exitCode !== 0) violations.push(`SIGTERM exit ${exitCode}`);
    const report = {
      startedAt: new Date(Date.now() - loadSeconds * 1000).toISOString(),
      minutes,
      concurrency,
      admits: { maxInFlight: MAX_IN_FLIGHT, maxQueued: MAX_QUEUED },
      media: { source: media.source, photo: media.photo.name, clip },
      totals,
      perMinute: rows,
      slopes: {
        rssMiBPerMinute: Math.round(rssSlope * 10) / 10,
        rssMiBPerMinuteAfterFirst: Math.round(rssSlopeSteady * 10) / 10,
        fdsPerMinute: Math.round(fdSlope * 100) / 100,
      },
      baseline,
      afterSettled: after,
      samples,
      violations,
    };
    if (values.json !== undefined)
      await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    log(
      `soak: ${totals.requests} requests, ${totals.ok} 200 (${totals.okPerSecond}/s), 503 share ${(totals.share503 * 100).toFixed(1)} %, other 5xx ${server5xx}, no answer ${noAnswer}`,
    );
    log(
      `  slopes: RSS ${report.slopes.rssMiBPerMinute} MiB/min (${report.slopes.rssMiBPerMinuteAfterFirst} after the first minute), fds ${report.slopes.fdsPerMinute}/min`,
    );
    if (baseline !== undefined && after !== undefined)
      log(
        `  baseline → settled: RSS ${baseline.rssMiB} → ${after.rssMiB} MiB, fds ${baseline.fds} → ${after.fds}, children ${after.children.length}, temp entries ${after.tempEntries.length}`,
      );
    log(violations.length === 0 ? '  violations: none' : `  VIOLATIONS: ${violations.join('; ')}`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
