/** The command line of `npm run bench`, parsed and checked once. */
import { parseArgs } from 'node:util';
import { parseClipIds, type ClipId } from './clips.js';

export interface BenchOptions {
  /** Requests per concurrency level (at least 4 per client, whatever this says). */
  readonly requests: number;
  /** Levels for the reference clip (a). */
  readonly concurrency: number[];
  /** Levels (b), (c) and (d) run at: those of `concurrency` also listed here. */
  readonly sideConcurrency: number[];
  readonly clips: ClipId[];
  /** Untimed requests per clip before its first level. */
  readonly warmup: number;
  /** Timed runs of each floor per clip (after one untimed run). */
  readonly floorRuns: number;
  /** Timed peer requests per clip (after one untimed run); 0 or --no-peer skips the peer. */
  readonly peerRuns: number;
  readonly record: boolean;
  /** Where to write the JSON of the run, besides docs/bench/latest.json with --record. */
  readonly out: string | undefined;
}

export const USAGE = `npm run bench [-- options]
  --requests N            requests per concurrency level (default 30; at least 4 per client)
  --concurrency 1,2,4,8   closed-loop levels for clip (a)
  --side-concurrency 1,4  clips (b) and (c) run at the levels of --concurrency listed here
                          (the lowest level of --concurrency when none is)
  --clips a,b,c           (a) 5-s 512×512 reference, (b) portrait, (c) ~34-s clip,
                          (d) a 10-s still photo (an attack searched for a blink),
                          (e) clip (a) as a phone's HDR recording (HLG HEVC Main 10)
  --warmup N              untimed requests per clip (default 3)
  --floor-runs N          timed runs of each floor per clip (default 10)
  --peer-runs N           timed peer requests per clip (default 3)
  --no-peer               skip the peer
  --record                append rows to docs/benchmarks.md, write docs/bench/latest.json
  --out FILE              also write the run's JSON to FILE`;

function count(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

function levels(name: string, value: string): number[] {
  const out = value.split(',').map((v) => count(name, v.trim(), 1));
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The options, or a message and the usage on stderr and exit code 2. */
export function parseOptions(argv: string[] = process.argv.slice(2)): BenchOptions {
  try {
    return parse(argv);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
}

function parse(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: '30' },
      concurrency: { type: 'string', default: '1,2,4,8' },
      'side-concurrency': { type: 'string', default: '1,4' },
      clips: { type: 'string', default: 'a,b,c' },
      warmup: { type: 'string', default: '3' },
      'floor-runs': { type: 'string', default: '10' },
      'peer-runs': { type: 'string', default: '3' },
      'no-peer': { type: 'boolean', default: false },
      record: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    requests: count('requests', values.requests, 1),
    concurrency: levels('concurrency', values.concurrency),
    sideConcurrency: levels('side-concurrency', values['side-concurrency']),
    clips: parseClipIds(values.clips),
    warmup: count('warmup', values.warmup, 0),
    floorRuns: count('floor-runs', values['floor-runs'], 1),
    peerRuns: values['no-peer'] ? 0 : count('peer-runs', values['peer-runs'], 0),
    record: values.record,
    out: values.out,
  };
}

/** The levels a clip runs at: the full sweep for the reference, the side levels for the others. */
export function levelsFor(clip: ClipId, opts: BenchOptions): number[] {
  if (clip === 'a') return opts.concurrency;
  const side = opts.concurrency.filter((c) => opts.sideConcurrency.includes(c));
  return side.length > 0 ? side : [opts.concurrency[0]!];
}

/** Requests at one level: at least 4 per client, so every client is past its first request. */
export const requestsAt = (concurrency: number, opts: BenchOptions): number =>
  Math.max(opts.requests, concurrency * 4);
