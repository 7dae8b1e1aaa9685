/**
 * Starts the real verifier (the same entry point as `npm start`) as a child process on
 * a free port, waits for /readyz, and stops it with SIGTERM as an orchestrator would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface VerifierProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout (JSON log lines). */
  readonly logs: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function startVerifierProcess(env: Record<string, string> = {}): Promise<VerifierProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'services/verifier/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`verifier did not become ready:\n${out}\n${err}`)), 60_000);
    const onData = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('"msg":"ready"')) continue;
        const parsed = JSON.parse(line) as { url: string };
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(parsed.url);
        return;
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`verifier exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    url,
    child,
    logs: () => out + err,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
