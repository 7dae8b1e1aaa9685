/**
 * The verifier a reliability run (`npm run fuzz`, `npm run soak`) sends its requests to:
 * started here with a private TMPDIR, so that the temp-file check sees only its files, or
 * one already running that `--url` names, watched through `--pid` and `--tmpdir` when
 * they are given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';
import type { WatchTarget } from './proc-watch.js';

export interface ServiceUnderTest {
  readonly url: string;
  /** What the /proc checks watch; undefined for a running service given without --pid. */
  readonly target: WatchTarget | undefined;
  /** Whether this run started the service (and so judges its exit). */
  readonly startedHere: boolean;
  /** Its log so far; empty for a service started elsewhere. */
  logs(): string;
  /**
   * Stops a service started here and removes its TMPDIR; resolves to its exit code
   * (undefined for one started elsewhere, or on a later call). Safe to call twice.
   */
  stop(): Promise<number | null | undefined>;
}

export interface ServiceOptions {
  /** A running service; absent: start one. */
  readonly url?: string | undefined;
  readonly pid?: number | undefined;
  readonly tmpDir?: string | undefined;
  /** Names the private TMPDIR (`silentid-<run>-tmp-…`). */
  readonly run: string;
  /** Environment of a service started here, besides its TMPDIR. */
  readonly env?: Readonly<Record<string, string>>;
}

export async function serviceUnderTest(opts: ServiceOptions): Promise<ServiceUnderTest> {
  if (opts.url !== undefined) {
    const target = opts.pid === undefined ? undefined : { pid: opts.pid, tmpDir: opts.tmpDir };
    return {
      url: opts.url,
      target,
      startedHere: false,
      logs: () => '',
      stop: () => Promise.resolve(undefined),
    };
  }
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), `silentid-${opts.run}-tmp-`));
  let svc: VerifierProcess | undefined;
  try {
    svc = await startVerifierProcess({ ...opts.env, TMPDIR: tmpDir });
  } catch (err) {
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  }
  const started = svc;
  let stopped: Promise<number | null | undefined> | undefined;
  return {
    url: started.url,
    target: { pid: started.child.pid!, tmpDir },
    startedHere: true,
    logs: () => started.logs(),
    stop: () => {
      if (stopped !== undefined) return stopped.then(() => undefined);
      stopped = started.stop().finally(() => rm(tmpDir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
