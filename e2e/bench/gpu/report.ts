/**
 * The run as data (the JSON) and as the markdown table printed at the end, ready for
 * docs/benchmarks.md; and the check that every provider decided alike on the same clips.
 */
import type {
  ExecutionProvider,
  Placements,
} from '../../../services/verifier/src/runtime/execution-provider.js';
import type { RunInfo as EvalRunInfo } from '../../eval/report.js';
import type { Answer } from '../load.js';
import { stagesText, type LevelSummary } from '../report.js';
import type { GpuFigures } from './gpu-sampler.js';

/** What one answer decided; scores rounded to 6 digits, far below any threshold's resolution. */
export interface Outcome {
  readonly passed: boolean;
  readonly livenessStatus: string | null;
  readonly livenessScore: number | null;
  readonly verificationScore: number | null;
  /** Answers (warm-up included) that gave exactly this outcome. */
  readonly count: number;
}

export interface ProviderLevel extends LevelSummary {
  readonly clip: string;
  readonly gpu: GpuFigures;
  /** Mean images per model run during the level, by component; empty when nothing was batched. */
  readonly meanBatch: Readonly<Record<string, number>>;
}

/** /readyz's `batching`: how the main thread's model runs were batched across requests. */
export interface BatchingPolicy {
  readonly max_batch: number;
  readonly max_wait_ms: number;
}

export interface ProviderRun {
  readonly provider: ExecutionProvider;
  /** What the bench set for this verifier beyond the shared settings. */
  readonly env: Readonly<Record<string, string>>;
  /** Start-up to /readyz 200 (models loaded and warmed), ms. */
  readonly startMs?: number;
  readonly placements?: Placements;
  readonly batching?: BatchingPolicy;
  /** Untimed requests per clip: the first one on WebGPU includes shader compilation. */
  readonly warmupMs?: Readonly<Record<string, readonly number[]>>;
  readonly levels: readonly ProviderLevel[];
  /** Distinct outcomes per clip id. */
  readonly outcomes: Readonly<Record<string, readonly Outcome[]>>;
  /** Why this provider has no (or incomplete) figures: a start-up failure, a fallback. */
  readonly error?: string;
}

export interface DecisionCheck {
  /** Every provider gave every clip one and the same passed/liveness_status. */
  readonly identical: boolean;
  readonly problems: readonly string[];
  /** Largest |score difference| against the reference provider, per clip. */
  readonly maxScoreDelta: Readonly<Record<string, number>>;
}

export interface GpuBenchReport {
  readonly run: Omit<EvalRunInfo, 'quick' | 'options' | 'stageSeconds' | 'wallSeconds'> & {
    /** The card(s) as nvidia-smi names them, or why unknown. */
    readonly card: string;
    readonly clipsSource: string;
    readonly service: string;
    readonly options: Readonly<Record<string, unknown>>;
    readonly wallSeconds: number;
  };
  readonly clips: readonly {
    readonly id: string;
    readonly source: string;
    readonly note?: string;
    readonly video: string;
    readonly photo: string;
  }[];
  readonly providers: readonly ProviderRun[];
  readonly decisions: DecisionCheck;
}

/** Tallies answers into distinct outcomes. */
export class OutcomeTally {
  private readonly byKey = new Map<string, Omit<Outcome, 'count'> & { count: number }>();

  add(a: Answer): void {
    const j = a.json;
    const num = (v: unknown): number | null =>
      typeof v === 'number' ? Number(v.toPrecision(6)) : null;
    const o = {
      passed: a.passed,
      livenessStatus: typeof j['liveness_status'] === 'string' ? j['liveness_status'] : null,
      livenessScore: num(j['liveness_score']),
      verificationScore: num(j['verification_score']),
    };
    const key = JSON.stringify(o);
    const seen = this.byKey.get(key);
    if (seen === undefined) this.byKey.set(key, { ...o, count: 1 });
    else seen.count++;
  }

  outcomes(): Outcome[] {
    return [...this.byKey.values()].sort((a, b) => b.count - a.count);
  }
}

const decision = (o: Outcome): string => `passed=${o.passed} liveness_status=${o.livenessStatus}`;

/**
 * Decisions must not depend on the provider: each provider's answers for a clip must all
 * carry the reference provider's one decision. Scores may differ in the last digits
 * (decision 0018 measured ~1e-6 between CPU and WebGPU); the largest difference is reported.
 */
export function checkDecisions(
  runs: readonly ProviderRun[],
  clipIds: readonly string[],
): DecisionCheck {
  const problems: string[] = [];
  const maxScoreDelta: Record<string, number> = {};
  const ran = runs.filter((r) => Object.keys(r.outcomes).length > 0);
  const ref = ran[0];
  for (const clip of clipIds) {
    let delta = 0;
    for (const r of ran) {
      const mine = r.outcomes[clip] ?? [];
      const decisions = new Set(mine.map(decision));
      if (decisions.size > 1)
        problems.push(
          `(${clip}) ${runName(r)}: answers differ between requests: ${[...decisions].join(' / ')}`,
        );
      if (ref === undefined || r === ref) continue;
      const theirs = ref.outcomes[clip] ?? [];
      for (const o of mine)
        for (const t of theirs) {
          if (decision(o) !== decision(t))
            problems.push(
              `(${clip}) ${runName(r)} ${decision(o)} but ${runName(ref)} ${decision(t)}`,
            );
          for (const [a, b] of [
            [o.livenessScore, t.livenessScore],
            [o.verificationScore, t.verificationScore],
          ] as const)
            if (a !== null && b !== null) delta = Math.max(delta, Math.abs(a - b));
            else if (a !== b)
              problems.push(`(${clip}) ${runName(r)}: a score present on one provider only`);
        }
    }
    maxScoreDelta[clip] = delta;
  }
  const unique = [...new Set(problems)];
  return { identical: unique.length === 0, problems: unique, maxScoreDelta };
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');

function gpuCells(g: GpuFigures): [string, string] {
  if ('unavailable' in g) return [g.unavailable, g.unavailable];
  return [
    `${g.utilMeanPercent.toFixed(0)} / ${g.utilMaxPercent.toFixed(0)}`,
    `${g.memoryMaxMiB.toFixed(0)} (idle ${g.memoryIdleMiB.toFixed(0)})`,
  ];
}

export const TABLE_HEADER =
  '| provider | clip | concurrency | requests | p50 ms | p95 ms | req/s | CPU s/req | peak RSS MiB | GPU util % mean / max | GPU mem MiB max | median stages (ms) |';

/** The provider, and its batch size where batching is on: "webgpu ×16". */
function runName(p: ProviderRun): string {
  const max = p.batching?.max_batch ?? 1;
  return max > 1 ? `${p.provider} ×${max}` : p.provider;
}

/** "batching ≤ 16 images / 2 ms; mean images per run (a) c=1: detector 1.4, …" */
function batchingText(p: ProviderRun): string {
  if (p.batching === undefined) return '';
  if (p.batching.max_batch <= 1) return 'no batching';
  const means = p.levels
    .filter((l) => Object.keys(l.meanBatch).length > 0)
    .map(
      (l) =>
        `(${l.clip}) c=${l.concurrency}: ` +
        Object.entries(l.meanBatch)
          .map(([component, v]) => `${component} ${v.toFixed(1)}`)
          .join(', '),
    );
  return [
    `batching ≤ ${p.batching.max_batch} images / ${p.batching.max_wait_ms} ms`,
    ...(means.length > 0 ? [`mean images per run ${means.join('; ')}`] : []),
  ].join('; ');
}

/** The table for docs/benchmarks.md, with the lines that say where it was measured. */
export function markdown(r: GpuBenchReport): string {
  const m = r.run.machine;
  const lines = [
    `${r.run.date.slice(0, 10)}, commit ${r.run.commit}${r.run.dirty ? '+dirty' : ''}, bundle ${r.run.bundle}; card: ${r.run.card}; ` +
      `${m.cores} × ${m.cpu}, ${m.ramGiB} GiB, Node ${m.node}; clips: ${r.run.clipsSource}; ${r.run.service}; ` +
      `each level ${String(r.run.options['seconds'])} s closed loop after ${String(r.run.options['warmup'])} warm-up request(s) per clip.`,
    '',
    TABLE_HEADER,
    `|${' --- |'.repeat(12)}`,
  ];
  for (const p of r.providers) {
    if (p.error !== undefined && p.levels.length === 0)
      lines.push(
        `| ${runName(p)} | | | | | | | | | | | failed: ${p.error.split('\n')[0]!.slice(0, 200)} |`,
      );
    for (const l of p.levels) {
      const [util, mem] = gpuCells(l.gpu);
      lines.push(
        `| ${runName(p)} | ${l.clip} | ${l.concurrency} | ${l.requests} | ${ms(l.p50Ms)} | ${ms(l.p95Ms)} | ${l.reqPerSecond.toFixed(2)} | ${l.cpuSecondsPerRequest.toFixed(2)} | ${l.peakRssMiB.toFixed(0)} | ${util} | ${mem} | ${stagesText(l)} |`,
      );
    }
  }
  lines.push('');
  for (const p of r.providers) {
    const warm = Object.entries(p.warmupMs ?? {})
      .map(([clip, t]) => `(${clip}) ${t.map(ms).join(', ')} ms`)
      .join('; ');
    const start = p.startMs === undefined ? '' : `start-up ${(p.startMs / 1000).toFixed(1)} s`;
    lines.push(
      `- ${runName(p)}: ${[start, warm && `warm-up ${warm}`, batchingText(p)].filter(Boolean).join('; ')}${p.error ? `; ERROR: ${p.error.split('\n')[0]}` : ''}`,
    );
  }
  const d = r.decisions;
  const deltas = Object.entries(d.maxScoreDelta)
    .map(([clip, v]) => `(${clip}) ${v.toExponential(1)}`)
    .join(', ');
  lines.push(
    d.identical
      ? `- decisions identical across providers on every clip; largest score difference ${deltas}`
      : `- DECISIONS DIFFER: ${d.problems.join('; ')}`,
  );
  return lines.join('\n');
}
