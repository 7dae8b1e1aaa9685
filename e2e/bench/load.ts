/**
 * Closed-loop load over HTTP: `concurrency` clients, each sending its next request as soon
 * as the previous answer arrives, until a number of requests or a duration (LoopEnd). Latency is the
 * client's wall time per request; CPU and peak memory are the service's, from /proc.
 */
import { VERIFY_PATH } from '@silentid/client';
import type { VerifierProcess } from '../support/verifier-process.js';
import { cpuSeconds, peakRssMiB, resetPeakRss } from './proc.js';

export interface LoadResult {
  readonly concurrency: number;
  readonly latenciesMs: number[];
  /** Server-Timing durations per stage name, one entry per request. */
  readonly stagesMs: Record<string, number[]>;
  readonly wallMs: number;
  /** CPU seconds the service spent per request: its own threads and its ffmpeg children. */
  readonly cpuSecondsPerRequest: number;
  readonly peakRssMiB: number;
  /** 'configuration' when the peak was reset before this run; else the whole run's so far. */
  readonly peakRssScope: 'configuration' | 'run so far';
  /** Requests the service answered with passed: true (a live verdict, so the embed stage ran). */
  readonly passed: number;
}

/** One 200 answer: its Server-Timing header and its JSON (the decision and scores). */
export interface Answer {
  readonly serverTiming: string;
  readonly passed: boolean;
  readonly json: Readonly<Record<string, unknown>>;
}

/**
 * When a closed loop stops starting requests: after `total` requests, or once `seconds`
 * have passed and at least `minRequests` have started (a duration alone would give a
 * slow provider no sample at all). Requests already sent are always waited for.
 */
export type LoopEnd = number | { readonly seconds: number; readonly minRequests: number };

/** Sends one pre-encoded form; throws on anything but 200, naming the service's answer. */
async function send(url: string, body: string): Promise<Answer> {
  const res = await fetch(new URL(VERIFY_PATH, url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200)
    throw new Error(`bench request failed: ${res.status} ${JSON.stringify(json)}`);
  return {
    serverTiming: res.headers.get('server-timing') ?? '',
    passed: json['passed'] === true,
    json,
  };
}

/** "decrypt;dur=10.1, decode;dur=700" → [["decrypt", 10.1], ["decode", 700]]. */
export function parseServerTiming(header: string): [string, number][] {
  const out: [string, number][] = [];
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    const dur = params.find((p) => p.trim().startsWith('dur='));
    if (name && dur !== undefined) out.push([name, Number(dur.trim().slice(4))]);
  }
  return out;
}

export async function closedLoop(
  svc: VerifierProcess,
  body: string,
  concurrency: number,
  end: LoopEnd,
  onAnswer?: (answer: Answer) => void,
): Promise<LoadResult> {
  const pid = svc.child.pid!;
  const latenciesMs: number[] = [];
  const stagesMs: Record<string, number[]> = {};
  let passed = 0;
  let next = 0;
  const scoped = await resetPeakRss(pid);
  const cpu0 = await cpuSeconds(pid);
  const t0 = performance.now();
  const more = (): boolean => {
    const go =
      typeof end === 'number'
        ? next < end
        : next < end.minRequests || performance.now() - t0 < end.seconds * 1000;
    if (go) next++;
    return go;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more()) {
        const s = performance.now();
        const r = await send(svc.url, body);
        latenciesMs.push(performance.now() - s);
        if (r.passed) passed++;
        onAnswer?.(r);
        for (const [name, ms] of parseServerTiming(r.serverTiming))
          (stagesMs[name] ??= []).push(ms);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = (await cpuSeconds(pid)) - cpu0;
  return {
    concurrency,
    latenciesMs,
    stagesMs,
    wallMs,
    cpuSecondsPerRequest: cpu / latenciesMs.length,
    peakRssMiB: await peakRssMiB(pid),
    peakRssScope: scoped ? 'configuration' : 'run so far',
    passed,
  };
}
