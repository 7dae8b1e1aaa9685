/**
 * Starts the real verifier (the same entry point as `npm start`) as a child process,
 * waits until it says it is ready, and stops it with SIGTERM as an orchestrator would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Start-up loads and warms every model: seconds alone, far longer on a loaded 2-core runner. */
const READY_TIMEOUT_MS = 120_000;
/** Past the service's own drain grace (SHUTDOWN_GRACE_MS, 25 s by default). */
const STOP_TIMEOUT_MS = 60_000;

export interface VerifierProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr (JSON log lines). */
  readonly logs: () => string;
  /** The service's per-request temp directories still present in its private TMPDIR. */
  leftoverTempDirs(): Promise<string[]>;
  /** The decoder processes (ffmpeg, ffprobe; not tsx's esbuild) running under the service now. */
  decoders(): string[];
  /**
   * SIGTERM, then the exit code once it has exited; a process still there after
   * STOP_TIMEOUT_MS is killed and reported as `null`, never waited for forever.
   */
  stop(): Promise<number | null>;
}

/**
 * `entry: 'source'` runs the TypeScript through tsx (tests); `'build'` runs the compiled
 * service exactly as `npm start` does (benchmarks).
 *
 * Unless `env` names a PORT, the service binds port 0 and the URL is read from its
 * `ready` log line: no port is picked here and then lost to another process before the
 * child binds it (other suites may run on the same machine). Where the log level hides
 * that line (benchmarks run at `warn`), a port free now is passed instead and /readyz
 * is polled.
 */
export async function startVerifierProcess(
  env: Record<string, string> = {},
  entry: 'source' | 'build' = 'source',
): Promise<VerifierProcess> {
  const args =
    entry === 'build'
      ? [path.join(repoRoot, 'services/verifier/dist/main.js')]
      : ['--import', 'tsx', path.join(repoRoot, 'services/verifier/src/main.ts')];
  const logLevel = env.LOG_LEVEL ?? 'info';
  const readyLogged = ['trace', 'debug', 'info'].includes(logLevel);
  const port = env.PORT ?? (readyLogged ? '0' : String(await freePort()));
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'silentid-e2e-tmp-'));
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      TMPDIR: tmpDir,
      ...env,
      PORT: port,
      LOG_LEVEL: logLevel,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exitCode = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code)); // null when a signal ended it
  });
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exitCode;
    clearTimeout(timer);
    await rm(tmpDir, { recursive: true, force: true });
    return code;
  };

  let url: string;
  const died = new AbortController();
  try {
    void exitCode.then((code) =>
      died.abort(new Error(`verifier exited with ${code} before it was ready:\n${out}\n${err}`)),
    );
    url = await waitFor(
      'the verifier to be ready',
      port === '0' ? () => readyUrl(out) : () => readyz(`http://127.0.0.1:${port}`),
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 50, signal: died.signal },
    );
  } catch (e) {
    await stop(); // never leave a half-started service behind
    if (died.signal.aborted) throw e;
    throw new Error(`${(e as Error).message}; its output:\n${out}\n${err}`);
  }
  return {
    url,
    child,
    logs: () => out + err,
    leftoverTempDirs: async () => (await readdir(tmpDir)).filter((n) => n.startsWith('silentid-')),
    decoders: () => decodersUnder(child.pid!),
    stop,
  };
}

/** The URL of the service's `ready` log line, once it has written it. */
function readyUrl(logs: string): string | undefined {
  for (const line of logs.split('\n')) {
    if (!line.includes('"msg":"ready"')) continue;
    const { url } = JSON.parse(line) as { url?: string };
    if (url !== undefined) return url;
  }
  return undefined;
}

/** `url` when its /readyz answers 200 (models loaded and warmed). */
async function readyz(url: string): Promise<string | undefined> {
  try {
    return (await fetch(`${url}/readyz`)).status === 200 ? url : undefined;
  } catch {
    return undefined; // not listening yet
  }
}

/** A port the OS says is free now (the child binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** `comm pid` of every direct child of `pid` (any of its threads may be the parent), from /proc. */
export function childProcesses(pid: number): string[] {
  const found: string[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found; // the process is gone
  }
  for (const task of tasks) {
    let kids: string[];
    try {
      kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/);
    } catch {
      continue; // the thread ended while we looked
    }
    for (const kid of kids.filter(Boolean)) {
      try {
        const comm = readFileSync(`/proc/${kid}/comm`, 'utf8').trim();
        // tsx's esbuild service is the test harness's own child, not the service's work.
        if (!comm.startsWith('esbuild')) found.push(`${comm} ${kid}`);
      } catch {
        // the child ended while we looked
      }
    }
  }
  return found;
}

/** `name pid` of each ffmpeg/ffprobe child of `pid`. */
function decodersUnder(pid: number): string[] {
  return childProcesses(pid).filter((entry) => /ff(mpeg|probe)/.test(entry));
}

/** Waits until the service has neither a decoder process nor a per-request temp dir left. */
export function nothingLeft(svc: VerifierProcess, when = ''): Promise<true> {
  return waitFor(`no decoder and no temp dir left${when ? ` ${when}` : ''}`, async () => {
    const left = [...svc.decoders(), ...(await svc.leftoverTempDirs())];
    if (left.length > 0) throw new Error(`still there: ${left.join(', ')}`);
    return true as const;
  });
}
