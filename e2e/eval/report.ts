/** The shape of docs/eval/report.json (report.md is rendered from it). */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { LivenessSummary } from './liveness-summary.js';
import type { PresentationResult } from './liveness.js';
import type { AutoRotateResult, OcclusionResult } from './photo-checks.js';
import type { CueResearch } from './cue-research/measure-cues.js';
import type { VerificationTarget } from './verification-targets.js';
import type { PipelineVerification } from './verification.js';
import type { LosoReport } from './liveness-loso.js';
import type { Interval } from './metrics.js';

export interface RunInfo {
  readonly date: string;
  readonly commit: string;
  /** Uncommitted changes in the tree when the run started. */
  readonly dirty: boolean;
  /** The tracked files that differed from the commit: what the figures measured beyond it. */
  readonly dirtyPaths: readonly string[];
  readonly bundle: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly ramGiB: number;
    readonly node: string;
    readonly os: string;
  };
  readonly dataDir: string;
  readonly quick: boolean;
  readonly options: Readonly<Record<string, number | boolean>>;
  readonly wallSeconds: number;
  readonly stageSeconds: Readonly<Record<string, number>>;
}

export interface UnavailablePeer {
  readonly name: string;
  readonly reason: string;
}

export interface EvalReport {
  readonly run: RunInfo;
  readonly verification: {
    readonly excludedPairs: Readonly<Record<string, number>>;
    readonly pipelines: readonly PipelineVerification[];
    /** The same pipelines on the pairs where every one of them found both faces. */
    readonly common: readonly PipelineVerification[];
    readonly unavailable: readonly UnavailablePeer[];
    /** The verification targets, each with its verdict. */
    readonly targets: readonly VerificationTarget[];
    /** Photos of each source in which our pipeline found no face. */
    readonly failureToAcquire: readonly FailureToAcquire[];
  };
  readonly liveness: {
    readonly summary: LivenessSummary;
    readonly humanScope: string;
    readonly presentations: readonly PresentationResult[];
    /** The cues the decision does not use, each measured on its own. */
    readonly cueResearch: CueResearch;
    /** Every fitted constant fitted without the source it is judged on. */
    readonly loso: LosoReport;
  };
  readonly occlusion: OcclusionResult;
  readonly autoRotate: AutoRotateResult;
}

export interface FailureToAcquire {
  readonly source: string;
  readonly photos: number;
  readonly noFace: readonly string[];
  /** Wilson 95% interval of noFace / photos. */
  readonly ci95: Interval;
}

/** CPU model, cores, RAM and Node of this machine: figures mean little without them. */
export function machine(): RunInfo['machine'] {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    ramGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export function gitState(cwd: string): { commit: string; dirty: boolean; dirtyPaths: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd }).toString();
  try {
    // Porcelain lines are "XY path": no trimming, or the first line's status column shifts.
    const dirtyPaths = git('status', '--porcelain', '--untracked-files=no')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(3));
    return {
      commit: git('rev-parse', '--short', 'HEAD').trim(),
      dirty: dirtyPaths.length > 0,
      dirtyPaths,
    };
  } catch {
    return { commit: 'unknown', dirty: true, dirtyPaths: [] };
  }
}
