/**
 * `npm run fuzz [-- options]`: generated bad requests against a real verifier (started
 * here, with a private TMPDIR, unless --url names one), then the checks of fuzz.ts.
 * Exits 1 on any violation, 2 on a usage error.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runFuzz, summary, type FuzzReport } from './fuzz.js';
import { serviceUnderTest, type ServiceUnderTest } from './service-under-test.js';
import { loadSeedMedia } from './seed-media.js';

const USAGE = `npm run fuzz [-- options]
  --count N          requests (default 10000)
  --seed S           fast-check seed (default: random, printed; the same seed replays the same requests)
  --only I,J         send only these case indices of the seed (a replay)
  --concurrency C    requests in flight (default 4; at most MAX_CONCURRENT_REQUESTS + MAX_QUEUED_REQUESTS)
  --media M          corpus (default; falls back to generated when absent) or generated
  --json FILE        write the report as JSON
  --url URL          fuzz a running service instead of starting one; with it:
  --pid P            its process id, for the /proc checks (fds, RSS, children)
  --tmpdir DIR       its TMPDIR, for the temp-file check
  --admission-limit N  its MAX_CONCURRENT_REQUESTS + MAX_QUEUED_REQUESTS (default 18)
  --rss-slack MIB    RSS bound after the run: baseline + max(MIB, 50 % of baseline) (default 256)`;

function int(name: string, v: string | undefined, fallback: number, min = 0): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: an integer ≥ ${min}, got "${v}"`);
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        count: { type: 'string' },
        seed: { type: 'string' },
        only: { type: 'string' },
        concurrency: { type: 'string' },
        media: { type: 'string', default: 'corpus' },
        json: { type: 'string' },
        url: { type: 'string' },
        pid: { type: 'string' },
        tmpdir: { type: 'string' },
        'admission-limit': { type: 'string' },
        'rss-slack': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
    if (values.media !== 'corpus' && values.media !== 'generated')
      throw new Error('--media: corpus or generated');
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let count: number, seed: number, concurrency: number, admission: number, rssSlack: number;
  let only: number[] | undefined;
  try {
    count = int('count', values.count, 10_000, 1);
    seed = int('seed', values.seed, Math.floor(Math.random() * 2 ** 31));
    concurrency = int('concurrency', values.concurrency, 4, 1);
    admission = int('admission-limit', values['admission-limit'], 18, 1);
    rssSlack = int('rss-slack', values['rss-slack'], 256, 0);
    only = values.only?.split(',').map((v) => int('only', v.trim(), 0));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }

  const log = (line: string) => console.error(line);
  log(`fuzz: seed ${seed} (replay with --seed ${seed})`);
  const media = await loadSeedMedia(values.media as 'corpus' | 'generated');
  let service: ServiceUnderTest | undefined;
  let report: FuzzReport | undefined;
  let exitCode: number | null = 0;
  const stopAll = async () => {
    const code = await service?.stop();
    if (code !== undefined) exitCode = code;
    await media.remove();
  };
  const onSignal = () => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    service = await serviceUnderTest({
      run: 'fuzz',
      url: values.url,
      pid: values.pid === undefined ? undefined : int('pid', values.pid, 0, 1),
      tmpDir: values.tmpdir,
      env: { LOG_LEVEL: 'warn' },
    });
    const { url, target } = service;
    if (service.startedHere) {
      admission = 2 + 16; // the defaults it was started with
      log(`fuzz: verifier pid ${target!.pid} at ${url}, TMPDIR ${target!.tmpDir}`);
    }
    log(
      `fuzz: media ${media.source}: ${[media.photo, ...media.mp4, ...media.webm].map((f) => f.name).join(', ')}`,
    );
    report = await runFuzz({
      url,
      media,
      seed,
      count,
      ...(only === undefined ? {} : { only }),
      concurrency,
      admissionLimit: admission,
      rssSlackMiB: rssSlack,
      ...(target === undefined ? {} : { target }),
      progress: log,
    });
    const logs = service.logs();
    await stopAll();
    const violations = [...report.violations];
    if (service.startedHere && exitCode !== 0)
      violations.push({ kind: 'exit code', detail: `SIGTERM exit ${exitCode}` });
    const faults = logs.split('\n').filter((l) => l.includes('"unhandled error"'));
    report = { ...report, violations };
    const out = { ...report, serviceExitCode: exitCode, serviceFaultLogs: faults.slice(0, 20) };
    if (values.json !== undefined)
      await writeFile(values.json, `${JSON.stringify(out, null, 2)}\n`);
    console.log(summary(report));
    if (faults.length > 0)
      console.log(`  service fault logs (first):\n${faults.slice(0, 3).join('\n')}`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await stopAll();
  }
}

process.exitCode = await main();
