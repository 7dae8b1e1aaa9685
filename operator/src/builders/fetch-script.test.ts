/**
 * The fetch-and-verify script the pods' init container and the verification Job run,
 * executed for real (sh, curl, sha256sum, tar) against a local HTTP server. Only its two
 * container paths are moved into a private folder, as the pod's emptyDirs would be.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FETCH_SCRIPT } from './model-bundle.js';

const tools = ['sh', 'curl', 'sha256sum', 'tar'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);
const skip = tools.length > 0 ? `needs ${tools.join(', ')} on PATH` : false;

let dir: string;
let server: http.Server;
let base: string;
let archive: Buffer;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'silentid-fetch-'));
  mkdirSync(join(dir, 'bundle'));
  writeFileSync(join(dir, 'bundle', 'bundle.yaml'), 'name: mine\nversion: 1.0.0\n');
  execFileSync('tar', ['-czf', join(dir, 'bundle.tgz'), '-C', join(dir, 'bundle'), '.']);
  archive = readFileSync(join(dir, 'bundle.tgz'));
  server = http.createServer((req, res) => {
    if (req.url === '/bundle.tgz') res.end(archive);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the script as a pod would, its /tmp and /models being folders of this run. Async:
 * the server answering curl lives in this process's event loop.
 */
async function fetchInto(url: string, sha256: string): Promise<{ status: number; models: string }> {
  const run = mkdtempSync(join(dir, 'pod-'));
  const models = join(run, 'models');
  mkdirSync(models);
  const script = FETCH_SCRIPT.replaceAll('/tmp/', `${run}/`).replaceAll('/models', models);
  const env = { PATH: process.env.PATH, BUNDLE_URL: url, BUNDLE_SHA256: sha256, S3_REGION: 'x' };
  const status = await new Promise<number>((resolve) =>
    execFile('sh', ['-c', script], { env, timeout: 30_000 }, (error) =>
      resolve(error ? Number(error.code ?? -1) : 0),
    ),
  );
  return { status, models };
}

test('a bundle whose sha256 matches is unpacked', { skip }, async () => {
  const sha = createHash('sha256').update(archive).digest('hex');
  const { status, models } = await fetchInto(`${base}/bundle.tgz`, sha);
  assert.equal(status, 0);
  assert.match(readFileSync(join(models, 'bundle.yaml'), 'utf8'), /name: mine/);
});

test(
  'a sha256 mismatch exits 1 (the Job fails at once) and unpacks nothing',
  { skip },
  async () => {
    const { status, models } = await fetchInto(`${base}/bundle.tgz`, 'f'.repeat(64));
    assert.equal(status, 1, 'the exit code the Job’s podFailurePolicy treats as final');
    assert.equal(existsSync(join(models, 'bundle.yaml')), false);
  },
);

test('a missing archive fails with curl’s own code, which the Job retries', { skip }, async () => {
  const { status } = await fetchInto(`${base}/gone.tgz`, 'f'.repeat(64));
  assert.equal(status, 22);
});
