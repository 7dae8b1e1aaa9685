/**
 * `npm run bench`: end-to-end latency of the real service (the compiled build, as
 * `npm start` runs it) on real encrypted requests, closed loop. Prints a table and,
 * with --record, appends a dated row to docs/benchmarks.md. Never asserted in tests.
 *
 *   npm run bench [-- --requests 30 --concurrency 1,2,4 --record]
 */
import { execFileSync } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { corpusFile, corpusPresent, dataDir } from '../support/corpus.js';
import { postForm, seal } from '../support/http.js';
import { cutClip, scratchDir } from '../support/media-tools.js';
import { repoRoot, startVerifierProcess } from '../support/verifier-process.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '1,2,4' },
    record: { type: 'boolean', default: false },
  },
});
if (!corpusPresent) {
  console.error(`corpus absent at ${dataDir}; set SILENTID_DATA_DIR`);
  process.exit(2);
}
const requests = Number(values.requests);
const levels = values.concurrency.split(',').map(Number);

const scratch = await scratchDir();
// The reference request: a 5-s 512×512 talking-head clip (cut from a real 11.8-s
// clip, re-encoded H.264 at its own 30 fps) and one 910×1137 JPEG photo.
const clip = await cutClip(
  corpusFile('KwaiVGI__LivePortrait/driving_d3.mp4'),
  path.join(scratch.dir, 'bench-5s.mp4'),
  0,
  5,
);
const fields = {
  encrypted_image: seal(await readFile(corpusFile('ageitgey__face_recognition/obama.jpg'))),
  encrypted_video: seal(await readFile(clip)),
};
const svc = await startVerifierProcess({ LOG_LEVEL: 'warn', MAX_QUEUED_REQUESTS: '64' }, 'build');

interface Run {
  concurrency: number;
  latencies: number[];
  stages: Record<string, number[]>;
  wallMs: number;
  /** CPU seconds the service spent per request (its own process and its ffmpeg children). */
  cpuPerRequest: number;
}

/** User + system CPU seconds of a process and its reaped children, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime, stime, cutime, cstime are fields 14–17 of stat(5); after "comm)" they are 12–15.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / 100;
}

/** Peak resident set size of a process so far, in MiB (VmHWM). */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function closedLoop(concurrency: number, total: number): Promise<Run> {
  const latencies: number[] = [];
  const stages: Record<string, number[]> = {};
  let next = 0;
  const pid = svc.child.pid!;
  const cpu0 = await cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const s = performance.now();
        const r = await postForm(svc.url, fields);
        latencies.push(performance.now() - s);
        if (r.status !== 200) throw new Error(`bench request failed: ${JSON.stringify(r.json)}`);
        for (const part of String(r.headers['server-timing']).split(', ')) {
          const [name, dur] = part.split(';dur=');
          (stages[name!] ??= []).push(Number(dur));
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpuPerRequest = (await cpuSeconds(pid)) - cpu0;
  return {
    concurrency,
    latencies,
    stages,
    wallMs,
    cpuPerRequest: cpuPerRequest / latencies.length,
  };
}

const pct = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))]!;
const median = (v: number[]) => pct(v, 0.5);

try {
  await closedLoop(1, 3); // warm-up
  const runs: Run[] = [];
  for (const c of levels) runs.push(await closedLoop(c, Math.max(requests, c * 4)));
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot })
    .toString()
    .trim();
  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `machine: ${machine}\ncommit ${commit}, ${date}; request: 5-s 512×512 clip + 910×1137 photo`,
  );
  console.log('concurrency | p50 ms | p95 ms | req/s | CPU s/req | median stages (ms)');
  const rows = runs.map((r) => {
    const stages = Object.entries(r.stages)
      .map(([k, v]) => `${k} ${median(v).toFixed(0)}`)
      .join(', ');
    return `| ${r.concurrency} | ${median(r.latencies).toFixed(0)} | ${pct(r.latencies, 0.95).toFixed(0)} | ${((r.latencies.length / r.wallMs) * 1000).toFixed(2)} | ${r.cpuPerRequest.toFixed(2)} | ${stages} |`;
  });
  for (const row of rows) console.log(row);
  const peak = await peakRssMiB(svc.child.pid!);
  console.log(`peak RSS of the service: ${peak.toFixed(0)} MiB`);
  if (values.record) {
    const lines = rows
      .map((row) => `| ${date} | ${commit} | ${row.slice(2)} ${peak.toFixed(0)} |`)
      .join('\n');
    await appendFile(path.join(repoRoot, 'docs/benchmarks.md'), `${lines}\n`);
    console.log('recorded in docs/benchmarks.md');
  }
} finally {
  await svc.stop();
  await scratch.remove();
}
