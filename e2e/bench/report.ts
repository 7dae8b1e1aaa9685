/**
 * The run as data (the JSON written with --record or --out) and as the text printed at
 * the end. Summaries are computed once here; the printer and the markdown rows only
 * format them.
 */
import type { RunInfo as EvalRunInfo } from '../eval/report.js';
import type { PreparedClip } from './clips.js';
import type { Floors } from './floors.js';
import type { LoadResult } from './load.js';
import type { PeerResult } from './peer.js';
import { median, percentile } from './stats.js';

export interface LevelSummary {
  readonly concurrency: number;
  readonly requests: number;
  /** Answers with passed: true (the embed stage ran). */
  readonly passed: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly reqPerSecond: number;
  readonly cpuSecondsPerRequest: number;
  readonly peakRssMiB: number;
  readonly peakRssScope: LoadResult['peakRssScope'];
  /** Median per Server-Timing stage, in the order the service sends them. */
  readonly stagesMedianMs: Record<string, number>;
  readonly latenciesMs: readonly number[];
}

export interface FloorSummary extends Floors {
  readonly decodeMedianMs: number;
  readonly modelMedianMs: number;
}

export interface PeerSummary extends PeerResult {
  readonly modelMedianMs: number;
  /** The peer has no decoder: its request is our decode floor plus its model time. */
  readonly requestMs: number;
  /** requestMs / our e2e p50 at the ratio's concurrency. */
  readonly vsOursE2e: number;
  /** The peer's model time / our model floor. */
  readonly vsOursModel: number;
}

export interface ClipReport {
  readonly id: string;
  readonly wanted: string;
  readonly source: string;
  readonly cut?: { readonly from: number; readonly seconds: number };
  readonly note?: string;
  readonly video: {
    readonly width: number;
    readonly height: number;
    readonly durationSeconds: number;
    readonly fps: number;
    readonly codec: string;
    readonly bytes: number;
  };
  readonly photo: {
    readonly file: string;
    readonly note: string;
    readonly width: number;
    readonly height: number;
    readonly bytes: number;
  };
  readonly levels: readonly LevelSummary[];
  readonly floors: FloorSummary;
  /** e2e p50 / (decode floor + model floor) at the lowest measured concurrency (1 by default). */
  readonly ratio: {
    readonly concurrency: number;
    readonly p50Ms: number;
    readonly floorsMs: number;
    readonly value: number;
  };
  readonly peer: PeerSummary | { readonly unavailable: string };
}

/** Where and on what the run was made: the evaluation's record, with the bench's own settings. */
export interface RunInfo extends Omit<EvalRunInfo, 'quick' | 'options' | 'stageSeconds'> {
  /** The service's settings that shape the figures, as one line. */
  readonly service: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface BenchReport {
  readonly run: RunInfo;
  readonly clips: readonly ClipReport[];
}

export const RATIO_TARGET = 1.5;

export function summariseLevel(r: LoadResult): LevelSummary {
  return {
    concurrency: r.concurrency,
    requests: r.latenciesMs.length,
    passed: r.passed,
    p50Ms: median(r.latenciesMs),
    p95Ms: percentile(r.latenciesMs, 0.95),
    p99Ms: percentile(r.latenciesMs, 0.99),
    reqPerSecond: (r.latenciesMs.length / r.wallMs) * 1000,
    cpuSecondsPerRequest: r.cpuSecondsPerRequest,
    peakRssMiB: r.peakRssMiB,
    peakRssScope: r.peakRssScope,
    stagesMedianMs: Object.fromEntries(Object.entries(r.stagesMs).map(([k, v]) => [k, median(v)])),
    latenciesMs: r.latenciesMs,
  };
}

export function summariseClip(
  clip: PreparedClip,
  photoSize: { width: number; height: number },
  loads: readonly LoadResult[],
  floors: Floors,
  peer: PeerResult | { unavailable: string },
): ClipReport {
  const levels = loads.map(summariseLevel);
  const f: FloorSummary = {
    ...floors,
    decodeMedianMs: median(floors.decodeMs),
    modelMedianMs: median(floors.modelMs),
  };
  const base = levels.reduce((a, b) => (b.concurrency < a.concurrency ? b : a));
  const floorsMs = f.decodeMedianMs + f.modelMedianMs;
  let peerSummary: ClipReport['peer'];
  if ('unavailable' in peer) peerSummary = peer;
  else {
    const modelMedianMs = median(peer.modelMs);
    const requestMs = f.decodeMedianMs + modelMedianMs;
    peerSummary = {
      ...peer,
      modelMedianMs,
      requestMs,
      vsOursE2e: requestMs / base.p50Ms,
      vsOursModel: modelMedianMs / f.modelMedianMs,
    };
  }
  const { spec, info } = clip;
  return {
    id: spec.id,
    wanted: spec.wanted,
    source: spec.source,
    ...(spec.cut === undefined ? {} : { cut: spec.cut }),
    ...(spec.note === undefined ? {} : { note: spec.note }),
    video: {
      width: info.width,
      height: info.height,
      durationSeconds: info.durationSeconds,
      fps: info.fps,
      codec: info.codec,
      bytes: clip.bytes.length,
    },
    photo: {
      file: clip.photo,
      note: clip.photoNote,
      width: photoSize.width,
      height: photoSize.height,
      bytes: clip.photoBytes.length,
    },
    levels,
    floors: f,
    ratio: {
      concurrency: base.concurrency,
      p50Ms: base.p50Ms,
      floorsMs,
      value: base.p50Ms / floorsMs,
    },
    peer: peerSummary,
  };
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');

export const stagesText = (l: LevelSummary): string =>
  Object.entries(l.stagesMedianMs)
    .map(([k, v]) => `${k} ${ms(v)}`)
    .join(', ');

export function videoText(c: Pick<ClipReport, 'source' | 'cut' | 'video'>): string {
  const v = c.video;
  const cut =
    c.cut === undefined ? '' : ` [${c.cut.from}–${c.cut.from + c.cut.seconds} s re-encoded H.264]`;
  return `${c.source}${cut}: ${v.width}×${v.height}, ${v.durationSeconds.toFixed(1)} s, ${Math.round(v.fps)} fps, ${v.codec}, ${(v.bytes / 2 ** 20).toFixed(2)} MiB`;
}

export function floorsText(f: FloorSummary): string {
  const p = f.parts;
  return `decode ${ms(f.decodeMedianMs)} ms (${f.sampledFrames} frames) + model ${ms(f.modelMedianMs)} ms (photo ${ms(p.photoMs)}, track ${ms(p.trackMs)} over ${f.trackedFrames}/${f.sampledFrames} frames, embed ${ms(p.embedMs)}${f.passed ? '' : ', not embedded: liveness failed'}) = ${ms(f.decodeMedianMs + f.modelMedianMs)} ms`;
}

/** The whole printed report: header, the table, floors, ratios, the peer. */
export function renderText(r: BenchReport): string {
  const { run } = r;
  const m = run.machine;
  const lines: string[] = [
    `silentid bench ${run.date}; commit ${run.commit}${run.dirty ? '+dirty' : ''}; bundle ${run.bundle}`,
    `machine: ${m.cores} × ${m.cpu}, ${m.ramGiB} GiB, Node ${m.node}, ${m.os}`,
    `service: ${run.service}`,
    `load: closed loop on loopback; ${String(run.options['warmup'])} warm-up requests per clip, then max(${String(run.options['requests'])}, 4 × concurrency) per level`,
    'clips:',
  ];
  for (const c of r.clips) {
    lines.push(`  (${c.id}) ${c.wanted} → ${videoText(c)}`);
    if (c.note !== undefined) lines.push(`      NOTE: ${c.note}`);
    lines.push(`      photo ${c.photo.file} ${c.photo.width}×${c.photo.height} (${c.photo.note})`);
  }
  lines.push(
    '',
    '| clip | concurrency | requests | passed | p50 ms | p95 ms | p99 ms | req/s | CPU s/req | peak RSS MiB | median stages (ms) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const c of r.clips)
    for (const l of c.levels)
      lines.push(
        `| ${c.id} | ${l.concurrency} | ${l.requests} | ${l.passed} | ${ms(l.p50Ms)} | ${ms(l.p95Ms)} | ${ms(l.p99Ms)} | ${l.reqPerSecond.toFixed(2)} | ${l.cpuSecondsPerRequest.toFixed(2)} | ${l.peakRssMiB.toFixed(0)}${l.peakRssScope === 'configuration' ? '' : ' (run so far)'} | ${stagesText(l)} |`,
      );
  lines.push(
    '',
    `floors (in-process, same config; median of ${r.clips[0]?.floors.runs ?? 0} runs after 1 untimed; decode = the service's video path (loadVideo: probe + ffmpeg), model = photo + tracking + liveness + embed on one thread, photo decoded beforehand):`,
  );
  for (const c of r.clips) lines.push(`  (${c.id}) ${floorsText(c.floors)}`);
  lines.push(`e2e p50 / (decode floor + model floor) (target ≤ ${RATIO_TARGET}):`);
  for (const c of r.clips)
    lines.push(
      `  (${c.id}) ${ms(c.ratio.p50Ms)} / ${ms(c.ratio.floorsMs)} = ${c.ratio.value.toFixed(2)} at concurrency ${c.ratio.concurrency}`,
    );
  const first = r.clips.map((c) => c.peer).find((p): p is PeerSummary => !('unavailable' in p));
  lines.push(
    first === undefined
      ? 'peer:'
      : `peer: ${first.description}; TF.js wasm, one request at a time, median of ${first.runs} after 1 untimed, on the same frames and photo pixels as the model floor; its request = our decode floor + its model time:`,
  );
  for (const c of r.clips) {
    const p = c.peer;
    if ('unavailable' in p) {
      lines.push(`  (${c.id}) not measured: ${p.unavailable}`);
      continue;
    }
    lines.push(
      `  (${c.id}) ${ms(p.requestMs)} ms per request (decode ${ms(c.floors.decodeMedianMs)} + human ${ms(p.modelMedianMs)}; face in ${p.framesWithFace}/${p.frames} frames); peer / our e2e p50 at concurrency ${c.ratio.concurrency}: ${x(p.vsOursE2e)}; peer model / our model floor: ${x(p.vsOursModel)}`,
    );
  }
  return lines.join('\n');
}
