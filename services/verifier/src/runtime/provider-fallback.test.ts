/**
 * The service asked for WebGPU where it cannot load (Vulkan broken on purpose, in a child
 * process): with fallback on it starts on CPU and says so in its start-up log, /readyz and
 * /metrics; with fallback off it stops at start with one clear line (decision 0018).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BUNDLE_COMPONENTS } from '../testing/default-bundle.js';
import { WEBGPU_MAIN_THREAD_ONLY } from './onnx-model.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MODELS: readonly string[] = DEFAULT_BUNDLE_COMPONENTS;

/** The verifier from source, asked for WebGPU with no Vulkan driver to be found. */
function startWithoutVulkan(env: Record<string, string>) {
  const runtimeDir = mkdtempSync(path.join(os.tmpdir(), 'silentid-xdg-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/verifier/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ORT_EXECUTION_PROVIDER: 'webgpu',
      // The Vulkan loader's driver list (VK_DRIVER_FILES; VK_ICD_FILENAMES before 1.3.207).
      VK_DRIVER_FILES: '/nonexistent.json',
      VK_ICD_FILENAMES: '/nonexistent.json',
      XDG_RUNTIME_DIR: runtimeDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      rmSync(runtimeDir, { recursive: true, force: true });
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  /** The JSON log lines so far. */
  const logs = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, logs, stderr: () => stderr };
}

test('WebGPU that cannot load: CPU serves, and the log, /readyz and /metrics say so', async () => {
  const svc = startWithoutVulkan({ VISION_WORKERS: '1' });
  try {
    const ready = await Promise.race([
      (async () => {
        for (;;) {
          const line = svc.logs().find((l) => l.msg === 'ready');
          if (line !== undefined) return line;
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
      svc.exited.then((code) => assert.fail(`exited ${code}: ${svc.stderr()}`)),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`not ready in 60 s: ${svc.stderr()}`)), 60_000).unref(),
      ),
    ]);
    const logs = svc.logs();

    // One warning per group of sessions, naming components, requested provider and reason.
    const warnings = logs.filter((l) => l.level === 40);
    const main = warnings.find((l) => l.threads === 'main');
    assert.ok(main, `a warning for the main thread's sessions: ${JSON.stringify(warnings)}`);
    assert.equal(main.requested, 'webgpu');
    assert.equal(main.provider, 'cpu');
    assert.deepEqual([...(main.components as string[])].sort(), MODELS);
    assert.match(String(main.reason), /\S/);
    assert.match(String(main.msg), /webgpu execution provider not used; main sessions run on cpu/);
    const workers = warnings.find((l) => l.threads === 'frame_workers');
    assert.equal(workers?.reason, WEBGPU_MAIN_THREAD_ONLY);

    const loaded = logs.find((l) => l.msg === 'models loaded');
    assert.equal(loaded?.executionProvider, 'webgpu');
    const cpuOnly = (names: readonly string[]) => Object.fromEntries(names.map((c) => [c, 'cpu']));
    assert.deepEqual(loaded?.providers, {
      main: cpuOnly(MODELS),
      frame_workers: cpuOnly(MODELS.filter((c) => c !== 'descriptor')),
    });

    const url = String(ready.url);
    const readyz = (await (await fetch(`${url}/readyz`)).json()) as {
      providers: Record<string, Record<string, Record<string, string>>>;
    };
    assert.deepEqual(Object.keys(readyz.providers).sort(), ['frame_workers', 'main']);
    assert.deepEqual(readyz.providers.main!.detector, {
      requested: 'webgpu',
      provider: 'cpu',
      fallback: main.reason,
    });
    assert.equal(readyz.providers.frame_workers!.detector!.fallback, WEBGPU_MAIN_THREAD_ONLY);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const [threads, component] of [
      ['main', 'descriptor'],
      ['frame_workers', 'detector'],
    ])
      assert.match(
        metrics,
        new RegExp(
          `^silentid_model_execution_provider\\{model_version="[^"]+",threads="${threads}",component="${component}",provider="cpu",requested="webgpu"\\} 1$`,
          'm',
        ),
      );
    svc.child.kill('SIGTERM');
    assert.equal(await svc.exited, 0);
  } finally {
    svc.child.kill('SIGKILL');
  }
});

test('WebGPU that cannot load with ORT_PROVIDER_FALLBACK=false stops the start in one line', async () => {
  const svc = startWithoutVulkan({ ORT_PROVIDER_FALLBACK: 'false', VISION_WORKERS: '0' });
  try {
    assert.equal(await svc.exited, 1);
    // Dawn and the Vulkan loader write their own warnings first; ours is the last word.
    const ours = svc.stderr().slice(svc.stderr().indexOf('silentid: '));
    assert.match(
      ours,
      /^silentid: \w+: the webgpu execution provider cannot load it and fallback to CPU is off: /,
    );
    assert.equal(ours.trim().split('\n').length, 1, 'a message, not a stack trace');
    assert.equal(
      svc.logs().find((l) => l.msg === 'ready'),
      undefined,
    );
  } finally {
    svc.child.kill('SIGKILL');
  }
});
