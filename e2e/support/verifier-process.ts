/**
 * Starts the real verifier (the same entry point as `npm start`) as a child process on
 * a free port, waits for /readyz, and stops it with SIGTERM as an orchestrator would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface VerifierProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout (JSON log lines). */
  readonly logs: () => string;
  /** The service's per-request temp directories still present in its private TMPDIR. */
  leftoverTempDirs(): Promise<string[]>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `entry: 'source'` runs the TypeScript through tsx (tests); `'build'` runs the compiled
 * service exactly as `npm start` does (benchmarks).
 */
export async function startVerifierProcess(
  env: Record<string, string> = {},
  entry: 'source' | 'build' = 'source',
): Promise<VerifierProcess> {
  const args =
    entry === 'build'
      ? [path.join(repoRoot, 'services/verifier/dist/main.js')]
      : ['--import', 'tsx', path.join(repoRoot, 'services/verifier/src/main.ts')];
  const port = await freePort();
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'silentid-e2e-tmp-'));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      TMPDIR: tmpDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`verifier exited with ${code}:\n${out}\n${err}`)),
    ),
  );
  exited.catch(() => {});
  await Promise.race([waitReady(url, 60_000), exited]);
  return {
    url,
    child,
    logs: () => out + err,
    leftoverTempDirs: async () => (await readdir(tmpDir)).filter((n) => n.startsWith('silentid-')),
    stop: async () => {
      const code = await new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      await rm(tmpDir, { recursive: true, force: true });
      return code;
    },
  };
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

/** Polls /readyz: ready means models loaded and warmed. */
async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`verifier at ${url} not ready after ${timeoutMs} ms`);
}
