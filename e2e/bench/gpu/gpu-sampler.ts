/**
 * GPU utilisation and memory while a level runs, from `nvidia-smi` in its own loop mode
 * (one long-lived child printing every `intervalMs`): starting nvidia-smi per sample
 * costs ~100 ms of CPU each time, which would be charged to the machine under test.
 * Without nvidia-smi (lavapipe, a non-NVIDIA card) the figures say so instead of zero.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const QUERY = 'index,name,utilization.gpu,memory.used,memory.total';

/** One GPU at one instant. */
export interface GpuSample {
  readonly index: number;
  readonly name: string;
  readonly utilPercent: number;
  readonly memoryUsedMiB: number;
  readonly memoryTotalMiB: number;
}

/** A level's GPU figures, or why there are none. */
export type GpuFigures =
  | {
      readonly samples: number;
      /** Mean and highest utilisation over the level (all GPUs averaged per sample). */
      readonly utilMeanPercent: number;
      readonly utilMaxPercent: number;
      /** Highest memory in use over the level, all GPUs summed, and the same before the verifier started. */
      readonly memoryMaxMiB: number;
      readonly memoryIdleMiB: number;
    }
  | { readonly unavailable: string };

export const NO_NVIDIA_SMI = 'n/a (no nvidia-smi)';

/** The GPUs as nvidia-smi lists them now; undefined where it is absent or fails. */
export function gpuSnapshot(): GpuSample[] | undefined {
  const r = spawnSync('nvidia-smi', [`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return parseLines(r.stdout);
}

function parseLines(text: string): GpuSample[] {
  const out: GpuSample[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(',').map((s) => s.trim());
    if (f.length !== 5) continue;
    const [index, util, used, total] = [f[0], f[2], f[3], f[4]].map(Number);
    // "[N/A]" (a MIG slice, a driver without the counter) parses to NaN: left out, not zero.
    if ([index, util, used, total].some((n) => !Number.isFinite(n))) continue;
    out.push({
      index: index!,
      name: f[1]!,
      utilPercent: util!,
      memoryUsedMiB: used!,
      memoryTotalMiB: total!,
    });
  }
  return out;
}

/** Samples from `start()` until `stop()`; a no-op recorder where nvidia-smi is absent. */
export class GpuSampler {
  private child: ChildProcess | undefined;
  private buffered = '';
  private rows: GpuSample[][] = [];

  constructor(
    private readonly available: boolean,
    private readonly idleMiB: number,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    if (!this.available) return;
    this.rows = [];
    this.buffered = '';
    const child = spawn(
      'nvidia-smi',
      [`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits', `--loop-ms=${this.intervalMs}`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    child.on('error', () => undefined); // reported as no samples, never a crash of the bench
    child.stdout.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop()!;
      // One line per GPU per tick: group by index 0, the first GPU of each tick.
      for (const s of parseLines(lines.join('\n'))) {
        if (s.index === 0 || this.rows.length === 0) this.rows.push([]);
        this.rows[this.rows.length - 1]!.push(s);
      }
    });
    this.child = child;
  }

  stop(): GpuFigures {
    if (!this.available) return { unavailable: NO_NVIDIA_SMI };
    this.kill();
    const ticks = this.rows.filter((r) => r.length > 0);
    if (ticks.length === 0) return { unavailable: 'nvidia-smi gave no samples' };
    const util = ticks.map((t) => t.reduce((a, s) => a + s.utilPercent, 0) / t.length);
    const mem = ticks.map((t) => t.reduce((a, s) => a + s.memoryUsedMiB, 0));
    return {
      samples: ticks.length,
      utilMeanPercent: util.reduce((a, b) => a + b, 0) / util.length,
      utilMaxPercent: Math.max(...util),
      memoryMaxMiB: Math.max(...mem),
      memoryIdleMiB: this.idleMiB,
    };
  }

  /** Ends the sampling child, if any: also the clean-up on Ctrl-C. */
  kill(): void {
    if (this.child !== undefined && this.child.exitCode === null) this.child.kill('SIGTERM');
    this.child = undefined;
  }
}
