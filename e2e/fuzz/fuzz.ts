/**
 * The fuzz run: N generated bad requests against a running verifier at a bounded
 * concurrency, then the checks. Shared by `npm run fuzz` (run.ts) and the seeded sample
 * in `npm test` (http/fuzz-sample.test.ts).
 *
 * Violations (each fails the run):
 * - any 5xx. 503 (5003, saturated) included: the runner keeps at most `concurrency`
 *   requests open and refuses a concurrency above MAX_CONCURRENT_REQUESTS +
 *   MAX_QUEUED_REQUESTS, so the service's bounded queue can never be full; a 503 would
 *   mean admission slots leak.
 * - no answer: a transport error before any status line, or none within the deadline
 *   (a hang);
 * - the process gone (a crash), or /healthz not 200 afterwards, or a valid request not
 *   200 afterwards;
 * - after the run, once settled (polled, bounded): a child process left (ffmpeg,
 *   ffprobe), a temp entry left, more than `fdSlack` descriptors over the baseline, RSS
 *   over the bound (baseline + max(rssSlackMiB, 50 % of the baseline)).
 */
import { performance } from 'node:perf_hooks';
import { buildRequest, sampleCases, validFields, type Endpoint, type FuzzCase } from './cases.js';
import { alive, ProcWatch, rssMiB, type ProcSnapshot, type WatchTarget } from './proc-watch.js';
import type { SeedMedia } from './seed-media.js';
import { send, type Outcome } from './send.js';
import { IMAGES_PATH, LIVENESS_PATH, metricValue, VERIFY_PATH } from '../support/http.js';

export interface FuzzOptions {
  readonly url: string;
  readonly media: SeedMedia;
  readonly seed: number;
  readonly count: number;
  /** Only these indices of the sampled cases (a replay); all when undefined. */
  readonly only?: readonly number[];
  readonly concurrency: number;
  /** The service's admission limits (MAX_CONCURRENT_REQUESTS + MAX_QUEUED_REQUESTS). */
  readonly admissionLimit: number;
  /** The service process and its TMPDIR, for the /proc checks; none for a remote service. */
  readonly target?: WatchTarget;
  /** Per request; past it the request counts as a hang. */
  readonly requestTimeoutMs?: number;
  readonly fdSlack?: number;
  readonly rssSlackMiB?: number;
  /** How long the after-run checks poll before judging. */
  readonly settleTimeoutMs?: number;
  readonly progress?: (line: string) => void;
}

export interface Violation {
  readonly kind: string;
  readonly detail: string;
  readonly index?: number;
  readonly case?: FuzzCase;
}

export interface FuzzReport {
  readonly seed: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly media: { source: string; files: string[] };
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly requestsPerSecond: number;
  readonly byStatus: Record<string, number>;
  readonly byCode: Record<string, number>;
  readonly byFamily: Record<string, { requests: number; byStatus: Record<string, number> }>;
  readonly latencyMs: { p50: number; p95: number; max: number };
  /** Answers outside the codes a case's mutation allows (informational, not a violation). */
  readonly unexpected: { count: number; examples: unknown[] };
  /** Per case index: the status (or 'no answer') and the code, for diffing two runs of a seed. */
  readonly outcomes: Record<number, [number | string, number | string]>;
  readonly proc:
    | {
        readonly baseline: ProcSnapshot;
        readonly after: ProcSnapshot;
        readonly peakDuringRunMiB: number;
        readonly maxFdsDuringRun: number;
        readonly fdSlack: number;
        readonly rssBoundMiB: number;
        readonly rssAfterMiB: number;
      }
    | undefined;
  /** The main thread's V8 heap and external memory (the service's /metrics), MiB. */
  readonly heap: { readonly baseline: HeapFigures; readonly after: HeapFigures };
  readonly healthzAfter: number | string;
  readonly validAfter: number | string;
  readonly violations: Violation[];
}

export interface HeapFigures {
  readonly usedMiB: number | undefined;
  readonly externalMiB: number | undefined;
}

/** What the service reports of its main thread's memory; undefined where it does not. */
export async function heapFigures(url: string): Promise<HeapFigures> {
  const mib = (v: number | undefined) => (v === undefined ? v : Math.round(v / 1048576));
  try {
    return {
      usedMiB: mib(await metricValue(url, 'silentid_process_nodejs_heap_size_used_bytes')),
      externalMiB: mib(await metricValue(url, 'silentid_process_nodejs_external_memory_bytes')),
    };
  } catch {
    return { usedMiB: undefined, externalMiB: undefined };
  }
}

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

function statusKey(o: Outcome): string {
  if (o.kind === 'answer') return String(o.status);
  return o.kind === 'timeout' ? 'no answer (timeout)' : `no answer (${o.error})`;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A valid request of each endpoint, sent before the baseline and after the run. */
async function validRound(url: string, media: SeedMedia): Promise<number[]> {
  const out: number[] = [];
  const paths: Record<Endpoint, string> = {
    verify: VERIFY_PATH,
    liveness: LIVENESS_PATH,
    images: IMAGES_PATH,
  };
  for (const endpoint of ['verify', 'liveness', 'images'] as const) {
    const body = Buffer.from(new URLSearchParams(validFields(endpoint, media)).toString());
    const o = await send(
      url,
      {
        method: 'POST',
        path: paths[endpoint],
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': body.length,
        },
        body,
        what: 'valid',
      },
      120_000,
    );
    out.push(o.kind === 'answer' ? o.status : -1);
  }
  return out;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const {
    url,
    media,
    seed,
    count,
    concurrency,
    target,
    requestTimeoutMs = 120_000,
    fdSlack = 8,
    rssSlackMiB = 256,
    settleTimeoutMs = 60_000,
    progress = () => {},
  } = opts;
  if (concurrency > opts.admissionLimit) {
    throw new Error(
      `--concurrency ${concurrency} is above the service's admission limit (${opts.admissionLimit}): 503s would be expected, not violations`,
    );
  }
  const violations: Violation[] = [];
  const cases = sampleCases(seed, opts.only ? Math.max(...opts.only) + 1 : count);
  const indices = opts.only ?? cases.map((_, i) => i);

  // Warm up (models, JIT, allocator arenas), then the baseline.
  const warm = await validRound(url, media);
  if (warm.some((s) => s !== 200)) throw new Error(`valid requests before the run: ${warm}`);
  const watch = target === undefined ? undefined : new ProcWatch(target);
  const baseline = watch?.snapshot();
  const heapBaseline = await heapFigures(url);
  if (baseline !== undefined && baseline.children.length > 0)
    progress(`note: children before the run: ${baseline.children.join(', ')}`);

  const byStatus: Record<string, number> = {};
  const byCode: Record<string, number> = {};
  const byFamily: Record<string, { requests: number; byStatus: Record<string, number> }> = {};
  const latencies: number[] = [];
  const outcomes: Record<number, [number | string, number | string]> = {};
  const unexpected: unknown[] = [];
  let unexpectedCount = 0;
  let peakRss = baseline?.rssMiB ?? 0;
  let maxFds = baseline?.fds ?? 0;
  let next = 0;
  let done = 0;
  let crashed = false;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();

  const sampleProc = () => {
    if (target === undefined || !alive(target.pid)) return;
    try {
      peakRss = Math.max(peakRss, rssMiB(target.pid));
      maxFds = Math.max(maxFds, watch!.snapshot().fds);
    } catch {
      // the process ended while we looked: the crash check reports it
    }
  };
  const sampler = setInterval(sampleProc, 1000);

  const worker = async () => {
    for (;;) {
      if (crashed) return;
      const i = next++;
      if (i >= indices.length) return;
      const index = indices[i]!;
      const c = cases[index]!;
      let req: ReturnType<typeof buildRequest>;
      try {
        req = buildRequest(c, media);
      } catch (err) {
        // A bug of the generator, not of the service; it still fails the run.
        bump(byStatus, 'harness error');
        violations.push({ kind: 'harness error', detail: String(err), index, case: c });
        continue;
      }
      const o = await send(url, req, requestTimeoutMs);
      const key = statusKey(o);
      bump(byStatus, key);
      const fam = (byFamily[c.family] ??= { requests: 0, byStatus: {} });
      fam.requests++;
      bump(fam.byStatus, key);
      outcomes[index] = o.kind === 'answer' ? [o.status, o.code] : [key, 'no answer'];
      if (o.kind === 'answer') {
        bump(byCode, String(o.code));
        latencies.push(o.ms);
        if (o.status >= 500) {
          violations.push({
            kind: `http ${o.status}`,
            detail: `code ${o.code}, ${req.what}`,
            index,
            case: c,
          });
        }
        if (req.expect !== undefined && !req.expect.includes(o.code as number)) {
          unexpectedCount++;
          if (unexpected.length < 20)
            unexpected.push({ index, what: req.what, status: o.status, code: o.code });
        }
      } else {
        bump(byCode, 'no answer');
        violations.push({
          kind: o.kind === 'timeout' ? 'hang' : 'no answer',
          detail: `${key} after ${o.ms} ms, ${req.what}`,
          index,
          case: c,
        });
        if (target !== undefined && !alive(target.pid)) crashed = true;
      }
      if (++done % 500 === 0 || done === indices.length) {
        const s = ((performance.now() - t0) / 1000).toFixed(0);
        progress(`${done}/${indices.length} in ${s} s: ${JSON.stringify(byStatus)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  const durationSeconds = (performance.now() - t0) / 1000;

  // After the run: alive, healthy, still answering, and back to the baseline.
  let healthzAfter: number | string;
  try {
    healthzAfter = (await fetch(new URL('/healthz', url))).status;
  } catch (err) {
    healthzAfter = `unreachable: ${(err as Error).message}`;
  }
  if (healthzAfter !== 200) violations.push({ kind: 'healthz', detail: String(healthzAfter) });
  if (target !== undefined && !alive(target.pid))
    violations.push({ kind: 'crash', detail: `pid ${target.pid} is gone` });
  let validAfter: number | string;
  try {
    const after = await validRound(url, media);
    validAfter = after.every((s) => s === 200) ? 200 : after.join(',');
  } catch (err) {
    validAfter = `failed: ${(err as Error).message}`;
  }
  if (validAfter !== 200)
    violations.push({ kind: 'valid request after', detail: String(validAfter) });

  let proc: FuzzReport['proc'];
  if (watch !== undefined && baseline !== undefined && alive(target!.pid)) {
    const after = await watch.settled(baseline.fds, fdSlack, settleTimeoutMs);
    const rssBoundMiB = Math.round(baseline.rssMiB + Math.max(rssSlackMiB, baseline.rssMiB / 2));
    const rssAfterMiB = await watch.rssSettled(rssBoundMiB, settleTimeoutMs);
    proc = {
      baseline,
      after: { ...after, rssMiB: rssAfterMiB },
      peakDuringRunMiB: Math.round(peakRss),
      maxFdsDuringRun: maxFds,
      fdSlack,
      rssBoundMiB,
      rssAfterMiB,
    };
    if (after.children.length > 0)
      violations.push({ kind: 'leaked process', detail: after.children.join(', ') });
    if (after.tempEntries.length > 0)
      violations.push({ kind: 'leftover temp', detail: after.tempEntries.join(', ') });
    if (after.fds > baseline.fds + fdSlack)
      violations.push({ kind: 'leaked fds', detail: `${baseline.fds} → ${after.fds}` });
    if (rssAfterMiB > rssBoundMiB)
      violations.push({
        kind: 'rss',
        detail: `${baseline.rssMiB} → ${rssAfterMiB} MiB (bound ${rssBoundMiB})`,
      });
  }

  const heapAfter = await heapFigures(url);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    seed,
    requests: indices.length,
    concurrency,
    media: {
      source: media.source,
      files: [media.photo, media.otherPhoto, ...media.mp4, ...media.webm].map((f) => f.name),
    },
    startedAt,
    durationSeconds: Math.round(durationSeconds * 10) / 10,
    requestsPerSecond: Math.round((indices.length / durationSeconds) * 10) / 10,
    byStatus,
    byCode,
    byFamily,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      max: sorted.at(-1) ?? 0,
    },
    unexpected: { count: unexpectedCount, examples: unexpected },
    outcomes,
    proc,
    heap: { baseline: heapBaseline, after: heapAfter },
    healthzAfter,
    validAfter,
    violations,
  };
}

/** A few lines for a terminal. */
export function summary(r: FuzzReport): string {
  const lines = [
    `fuzz: ${r.requests} requests, seed ${r.seed}, concurrency ${r.concurrency}, ${r.durationSeconds} s (${r.requestsPerSecond}/s), media: ${r.media.source}`,
    `  by status: ${JSON.stringify(r.byStatus)}`,
    `  by code:   ${JSON.stringify(r.byCode)}`,
    `  latency ms: p50 ${r.latencyMs.p50}, p95 ${r.latencyMs.p95}, max ${r.latencyMs.max}`,
    `  unexpected (informational): ${r.unexpected.count}`,
    `  /healthz after: ${r.healthzAfter}; valid requests after: ${r.validAfter}`,
  ];
  if (r.proc) {
    const { baseline: b, after: a } = r.proc;
    lines.push(
      `  fds ${b.fds} → ${a.fds} (max ${r.proc.maxFdsDuringRun}, slack ${r.proc.fdSlack}); RSS ${b.rssMiB} → ${a.rssMiB} MiB (peak ${r.proc.peakDuringRunMiB}, bound ${r.proc.rssBoundMiB}); children after: ${a.children.length}; temp entries after: ${a.tempEntries.length}`,
    );
  } else lines.push('  /proc checks: skipped (no pid)');
  lines.push(
    `  main-thread V8 heap ${r.heap.baseline.usedMiB} → ${r.heap.after.usedMiB} MiB, external ${r.heap.baseline.externalMiB} → ${r.heap.after.externalMiB} MiB`,
  );
  lines.push(
    r.violations.length === 0
      ? '  violations: none'
      : `  VIOLATIONS (${r.violations.length}):\n${r.violations
          .slice(0, 30)
          .map((v) => `    ${v.kind}${v.index === undefined ? '' : ` #${v.index}`}: ${v.detail}`)
          .join('\n')}`,
  );
  return lines.join('\n');
}
