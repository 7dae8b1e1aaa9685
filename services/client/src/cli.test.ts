import { after, before, describe as suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_URL, ExitCode, describe, run, type CliIo } from './cli.js';
import { VERIFY_PATH } from './verify-client.js';

/** Runs the CLI in-process with captured output and an empty environment. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), env: {} };
  const code = await run(argv, io);
  return { code, out, err };
}

/** A port that was free a moment ago and on which nothing listens now. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

let dir: string;
let photo: string;
let video: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'silentid-cli-'));
  photo = path.join(dir, 'photo.jpg');
  video = path.join(dir, 'selfie.mp4');
  await writeFile(photo, 'not really a photo');
  await writeFile(video, 'not really a video');
});
after(() => rm(dir, { recursive: true, force: true }));

test('describe prints the decision, the score with its false-match rate, and the request id', () => {
  const text = describe(200, {
    code: 1000,
    passed: true,
    liveness_score: 0.91,
    liveness_status: 'ok',
    verification_score: 0.8,
    request_id: 'r1',
  });
  assert.match(text, /PASSED/);
  assert.match(text, /YES/);
  assert.match(text, /1\.0e-5/);
  assert.match(text, /r1/);
});

test('describe prints an error with its code and HTTP status', () => {
  assert.match(
    describe(400, { code: 4000, message: 'no face detected', request_id: 'r2' }),
    /error 4000 \(HTTP 400\): no face/,
  );
});

test('--help names the default service URL and every exit code', async () => {
  const { code, out } = await cli('--help');
  assert.equal(code, 0);
  assert.ok(out.includes(`default ${DEFAULT_URL}`), out);
  for (const status of Object.values(ExitCode))
    assert.match(out, new RegExp(`^  ${status}  `, 'm'));
});

test('usage errors exit 2 and say what is wrong', async () => {
  for (const [argv, message] of [
    [[], /no command given/],
    [['verify', '--photo', 'p.jpg'], /needs --photo and --video/],
    [['verify', '--bogus'], /bogus/],
    [['frobnicate'], /unknown command frobnicate/],
    [['encrypt', path.join(os.tmpdir(), 'silentid-no-such-file')], /cannot read .*ENOENT/],
  ] as const) {
    const { code, err } = await cli(...argv);
    assert.equal(code, ExitCode.usage, `${argv.join(' ')}: ${err}`);
    assert.match(err, message);
    assert.match(err, /usage:/);
  }
});

test('a closed port: exit 4, the URL it tried and how to start the service, no stack trace', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const { code, out, err } = await cli('verify', '--photo', photo, '--video', video, '--url', url);
  assert.equal(code, ExitCode.unreachable);
  assert.equal(out, '');
  assert.ok(err.includes(url), err);
  assert.match(err, /may not be running/);
  assert.match(err, /npm start/);
  assert.doesNotMatch(err, /\n\s+at /);
});

test('the installed entry point exits 4 on a closed port, with one line on stderr', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'verify', '--photo', photo, '--video', video, '--url', url],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [status] = (await once(child, 'exit')) as [number | null];
  assert.equal(status, ExitCode.unreachable, err);
  assert.equal(err.trim().split('\n').length, 1, err);
  assert.ok(err.includes(url), err);
});

suite('against a service', () => {
  let server: Server;
  let url: string;
  /** What the stand-in service answers next: HTTP status and body. */
  let reply: [number, string];
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const [status, body] = req.url === VERIFY_PATH ? reply : [404, '{}'];
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const verify = (...extra: string[]) =>
    cli('verify', '--photo', photo, '--video', video, '--url', url, ...extra);
  const answer = (fields: Record<string, unknown>): [number, string] => [
    200,
    JSON.stringify({ code: 1000, request_id: 'r', ...fields }),
  ];

  test('live and the same person: exit 0', async () => {
    reply = answer({ passed: true, liveness_score: 0.9, verification_score: 0.85 });
    const { code, out } = await verify();
    assert.equal(code, ExitCode.passed, out);
    assert.match(out, /PASSED[\s\S]*YES/);
  });

  test('not live: exit 1', async () => {
    reply = answer({ passed: false, liveness_score: 0.1, liveness_status: 'hack' });
    const { code, out } = await verify();
    assert.equal(code, ExitCode.rejected);
    assert.match(out, /FAILED/);
  });

  test('live but another person at the threshold: exit 1; a lower --threshold accepts it', async () => {
    reply = answer({ passed: true, liveness_score: 0.9, verification_score: 0.5 });
    assert.equal((await verify()).code, ExitCode.rejected);
    assert.equal((await verify('--threshold', '0.4')).code, ExitCode.passed);
    assert.equal((await verify('--threshold', 'high')).code, ExitCode.usage);
  });

  test('an error code from the service: exit 3, with --json too', async () => {
    reply = [400, JSON.stringify({ code: 4000, message: 'no face detected', request_id: 'r' })];
    const { code, out } = await verify();
    assert.equal(code, ExitCode.serviceError);
    assert.match(out, /error 4000 \(HTTP 400\)/);
    const json = await verify('--json');
    assert.equal(json.code, ExitCode.serviceError);
    assert.equal(JSON.parse(json.out).code, 4000);
  });

  test('an answer that is not the service JSON (a proxy page): exit 3', async () => {
    reply = [502, '<html>bad gateway</html>'];
    const { code, err } = await verify();
    assert.equal(code, ExitCode.serviceError);
    assert.match(err, /HTTP 502/);
  });
});
