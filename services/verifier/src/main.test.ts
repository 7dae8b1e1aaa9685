/**
 * The process as `npm start` runs it: a signal, whether sent to node or to npm, drains
 * the service and ends it with exit 0, and no node process outlives npm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const VERIFY_PATH = '/identity/silent_image_verification/stateless';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** The exit code, or the signal's name when one killed it; undefined while running. */
  readonly exit: () => number | string | undefined;
}

/** Polls `condition` every 50 ms; false if it still fails after `timeoutMs`. */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Spawns `command` in a process group of its own with the service on a free port
 * (PORT=0), and returns once the "ready" log line has come and /readyz says so.
 */
async function start(command: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd: repoRoot,
    detached: true,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      VISION_WORKERS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exit: number | string | undefined;
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  child.once('exit', (code, signal) => (exit = code ?? signal ?? 'unknown'));
  const readyLine = () => /\{[^\n]*"msg":"ready"[^\n]*\}/.exec(out)?.[0];
  if (!(await waitFor(() => readyLine() !== undefined || exit !== undefined, 60_000))) {
    killGroup(child);
    assert.fail(`not ready after 60 s:\n${out}`);
  }
  assert.equal(exit, undefined, `exited before ready:\n${out}`);
  const url = (JSON.parse(readyLine()!) as { url: string }).url;
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  return { child, url, output: () => out, exit: () => exit } satisfies Started;
}

/** Its exit, or 'hung' past 30 s (npm waiting on a shell that ignores the signal). */
async function exitOf(svc: Started): Promise<number | string> {
  await waitFor(() => svc.exit() !== undefined, 30_000);
  return svc.exit() ?? 'hung';
}

/** Whatever a failed run left in the process group goes too. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The pids of a process's children, as ps reports them (none: ps exits 1). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)])
      .toString()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A request in flight until the drain's grace ends: its body never finishes arriving. */
function stalledRequest(url: string): net.Socket {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {}); // closed by the server at the end of the grace
  socket.write(
    `POST ${VERIFY_PATH} HTTP/1.1\r\nHost: ${hostname}\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nencrypted_',
  );
  return socket;
}

const inFlight = async (url: string): Promise<boolean> =>
  /^silentid_inflight_requests 1$/m.test(await (await fetch(`${url}/metrics`)).text());

test('node: a second SIGINT during the drain (Ctrl-C under npm) does not cut it short', async () => {
  const svc = await start(process.execPath, ['--import', 'tsx', 'services/verifier/src/main.ts'], {
    SHUTDOWN_GRACE_MS: '1000',
  });
  const socket = stalledRequest(svc.url);
  try {
    assert.ok(await waitFor(() => inFlight(svc.url), 10_000), 'the request is in flight');
    svc.child.kill('SIGINT');
    assert.ok(await waitFor(() => /"msg":"draining"/.test(svc.output()), 10_000));
    svc.child.kill('SIGINT');
    assert.equal(await exitOf(svc), 0, svc.output());
    assert.match(svc.output(), /"msg":"already shutting down"[\s\S]*"msg":"stopped"/);
  } finally {
    socket.destroy();
    killGroup(svc.child);
  }
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`npm start: ${signal} to npm stops the service, and no node process outlives npm`, async () => {
    const npm = await start('npm', ['start']);
    try {
      const service = childrenOf(npm.child.pid!);
      assert.ok(service.length > 0, 'npm runs the service as its child');
      npm.child.kill(signal);
      assert.equal(await exitOf(npm), 0, npm.output());
      assert.ok(
        await waitFor(() => !service.some(alive), 5_000),
        `left running: ${service.filter(alive).join(', ')}`,
      );
      assert.match(npm.output(), /"msg":"stopped"/);
    } finally {
      killGroup(npm.child);
    }
  });
}
