import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ProcessKilledError, ProcessTimeoutError, runProcess } from './run-process.js';
import { processesWith, waitForProcess } from '../testing/processes.js';

const node = process.execPath;
// A child that runs until killed; the marker argument finds it in /proc.
const forever = (marker: string) => [
  '-e',
  'process.stdout.write("x"); setInterval(() => {}, 1000)',
  marker,
];

test('returns stdout, a stderr tail and the exit code', async () => {
  const result = await runProcess(
    node,
    ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'],
    { timeoutMs: 20_000 },
  );
  assert.equal(result.stdout.toString(), 'out');
  assert.equal(result.stderr, 'err');
  assert.equal(result.exitCode, 3);
});

test('passes arguments verbatim, with no shell in between', async () => {
  const tricky = '$(echo hi); `id` | > x';
  const result = await runProcess(node, ['-e', 'process.stdout.write(process.argv[1])', tricky], {
    timeoutMs: 20_000,
  });
  assert.equal(result.stdout.toString(), tricky);
});

test('a timeout kills the child before rejecting', async () => {
  const marker = `marker-${randomUUID()}`;
  await assert.rejects(runProcess(node, forever(marker), { timeoutMs: 300 }), ProcessTimeoutError);
  assert.deepEqual(processesWith(marker), []);
});

test('an abort kills the child before rejecting with the abort reason', async () => {
  const marker = `marker-${randomUUID()}`;
  const controller = new AbortController();
  const run = runProcess(node, forever(marker), { timeoutMs: 60_000, signal: controller.signal });
  await waitForProcess(marker);
  controller.abort(new Error('client went away'));
  await assert.rejects(run, /client went away/);
  assert.deepEqual(processesWith(marker), []);
});

test('an already-aborted signal spawns nothing', async () => {
  await assert.rejects(
    runProcess(node, ['-e', ''], {
      timeoutMs: 1000,
      signal: AbortSignal.abort(new Error('early')),
    }),
    /early/,
  );
});

test('a throwing stdout consumer or too much output kills the child', async () => {
  const marker = `marker-${randomUUID()}`;
  const consumer = () => {
    throw new Error('bad stream');
  };
  await assert.rejects(
    runProcess(node, forever(marker), { timeoutMs: 60_000, onStdout: consumer }),
    /bad stream/,
  );
  await assert.rejects(
    runProcess(node, forever(marker), { timeoutMs: 60_000, maxStdoutBytes: 0 }),
    /more than 0 bytes/,
  );
  assert.deepEqual(processesWith(marker), []);
});

test('a missing executable rejects with the spawn error', async () => {
  await assert.rejects(runProcess('/nonexistent/ffmpeg', [], { timeoutMs: 1000 }), {
    code: 'ENOENT',
  });
});

test('a kill from outside rejects with ProcessKilledError, never reads as a finished run', async () => {
  for (const sig of ['SIGKILL', 'SIGTERM'] as const) {
    const marker = `marker-${randomUUID()}`;
    const run = runProcess(node, forever(marker), { timeoutMs: 60_000 });
    process.kill(await waitForProcess(marker), sig);
    await assert.rejects(
      run,
      (e: unknown) => e instanceof ProcessKilledError && e.exitSignal === sig,
      sig,
    );
    assert.deepEqual(processesWith(marker), []);
  }
});

test('a child that crashes on its own resolves with the signal, as a failed run', async () => {
  // SIGABRT raised by the child itself (a decoder's failed assertion); no core file.
  const result = await runProcess('/bin/sh', ['-c', 'ulimit -c 0; kill -ABRT $$'], {
    timeoutMs: 20_000,
  });
  assert.equal(result.exitCode, null);
  assert.equal(result.exitSignal, 'SIGABRT');
});
