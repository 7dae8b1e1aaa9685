/**
 * What the kernel says about the service process (Linux /proc), read from outside so the
 * service needs no instrumentation: resident memory, open file descriptors, its child
 * processes, and what is in its private temp directory. The fuzzer and the soak test
 * take a baseline before their load and check that everything comes back to it after.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { childProcesses } from '../support/verifier-process.js';
import { waitFor } from '../support/wait.js';

export interface ProcSnapshot {
  /** VmRSS, MiB. */
  readonly rssMiB: number;
  /** Entries of /proc/<pid>/fd. */
  readonly fds: number;
  /** `comm pid` of each child process, tsx's esbuild service excepted (not the service's own). */
  readonly children: string[];
  /** Entries of the temp directory that were not there at the baseline. */
  readonly tempEntries: string[];
}

export interface WatchTarget {
  readonly pid: number;
  /** The service's TMPDIR; undefined when unknown (an external service without --tmpdir). */
  readonly tmpDir: string | undefined;
}

/** Whether the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** The top-level entries of `dir` (hidden ones included); none when it cannot be read. */
export function dirEntries(dir: string | undefined): string[] {
  if (dir === undefined) return [];
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export class ProcWatch {
  /** What the temp directory held before the load: tsx's cache, native libraries' files. */
  private readonly tempBaseline: Set<string>;

  constructor(readonly target: WatchTarget) {
    this.tempBaseline = new Set(dirEntries(target.tmpDir));
  }

  snapshot(): ProcSnapshot {
    const { pid, tmpDir } = this.target;
    return {
      rssMiB: round(rssMiB(pid)),
      fds: fdCount(pid),
      children: childProcesses(pid),
      tempEntries: dirEntries(tmpDir).filter((e) => !this.tempBaseline.has(e)),
    };
  }

  /**
   * Polls until no child process and no new temp entry is left and the descriptors are
   * back to `baselineFds + fdSlack`; returns the last snapshot either way (the caller
   * judges it), after at most `timeoutMs`.
   */
  async settled(baselineFds: number, fdSlack: number, timeoutMs: number): Promise<ProcSnapshot> {
    let last = this.snapshot();
    try {
      await waitFor(
        'children, temp files and descriptors back to the baseline',
        () => {
          last = this.snapshot();
          return (
            last.children.length === 0 &&
            last.tempEntries.length === 0 &&
            last.fds <= baselineFds + fdSlack
          );
        },
        { timeoutMs, intervalMs: 100 },
      );
    } catch {
      // reported through the snapshot
    }
    return last;
  }

  /**
   * Polls RSS until it is at most `boundMiB` (V8 and the allocator give memory back
   * lazily, after a GC the service runs on its own schedule); returns the lowest value
   * seen, after at most `timeoutMs`.
   */
  async rssSettled(boundMiB: number, timeoutMs: number): Promise<number> {
    let lowest = Infinity;
    try {
      await waitFor(
        `RSS at most ${boundMiB.toFixed(0)} MiB`,
        () => {
          lowest = Math.min(lowest, rssMiB(this.target.pid));
          return lowest <= boundMiB;
        },
        { timeoutMs, intervalMs: 250 },
      );
    } catch {
      // reported through the value
    }
    return round(lowest);
  }
}

const round = (v: number): number => Math.round(v * 10) / 10;
