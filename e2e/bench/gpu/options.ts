/** The command line of `npm run bench:gpu`, parsed and checked once. */
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  EXECUTION_PROVIDERS,
  type ExecutionProvider,
} from '../../../services/verifier/src/runtime/execution-provider.js';
import { parseClipIds, type ClipId } from '../clips.js';

export interface GpuBenchOptions {
  /** Run one after another, in this order; the first is the reference for decisions. */
  readonly providers: ExecutionProvider[];
  /**
   * ORT_BATCH_MAX settings each GPU provider runs with, one verifier each; `default` is
   * the provider's own default (decision 0024). CPU runs once, unbatched.
   */
  readonly batch: BatchSetting[];
  readonly concurrency: number[];
  /** Each level sends for this long (then waits for the requests in flight). */
  readonly seconds: number;
  /** At least this many requests per level, however long they take (0: one per client). */
  readonly minRequests: number;
  /** Untimed requests per clip after each verifier starts (WebGPU compiles shaders then). */
  readonly warmup: number;
  readonly clips: ClipId[];
  /** MAX_CONCURRENT_REQUESTS of every verifier: the same admission for every provider. */
  readonly maxInFlight: number;
  readonly sampleMs: number;
  readonly out: string;
}

export type BatchSetting = 'default' | number;

/** `cuda` only where an NVIDIA driver is: elsewhere it can only fail. */
export const defaultProviders = (nvidia: boolean): string =>
  nvidia ? 'cpu,webgpu,cuda' : 'cpu,webgpu';

/**
 * In flight per verifier: MAX_CONCURRENT_REQUESTS if set, else one per core. The service's
 * own default (2) suits a 2-core pod; on a GPU node it would cap throughput long before
 * the GPU does, and the bench is there to find where the GPU does.
 */
const defaultInFlight = (): string =>
  process.env.MAX_CONCURRENT_REQUESTS ?? String(os.availableParallelism());

export const usage = (nvidia: boolean): string => `npm run bench:gpu [-- options]
  --providers LIST      execution providers, run one after another (default ${defaultProviders(nvidia)};
                        cpu, webgpu, cuda); the first is the reference for decisions
  --batch LIST          ORT_BATCH_MAX of each GPU provider's runs, one run each (default: default,
                        the provider's own); e.g. default,1 to see what batching buys
  --concurrency LIST    closed-loop levels (default 1,8,32,64)
  --seconds N           seconds each level sends for (default 20)
  --min-requests N      at least N requests per level however slow (default: one per client)
  --warmup N            untimed requests per clip after each start (default 3)
  --clips LIST          corpus clips as in npm run bench: a (5-s 512×512 reference, default),
                        b (portrait), c (~34 s); a synthetic clip stands in without the corpus
  --max-in-flight N     MAX_CONCURRENT_REQUESTS of every verifier (default: that variable, else
                        the number of cores: ${os.availableParallelism()} here)
  --sample-ms N         nvidia-smi sampling interval (default 500)
  --out FILE            the run's JSON (default docs/bench/gpu-latest.json)
Lavapipe (software Vulkan, for function only):
  npm run bench:gpu -- --providers cpu,webgpu --concurrency 1,2 --seconds 10 --warmup 1`;

function count(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

function providers(value: string): ExecutionProvider[] {
  const out = value.split(',').map((s) => s.trim().toLowerCase());
  const bad = out.filter((p) => !(EXECUTION_PROVIDERS as readonly string[]).includes(p));
  if (bad.length > 0)
    throw new Error(
      `--providers: unknown ${bad.join(', ')} (use ${EXECUTION_PROVIDERS.join(', ')})`,
    );
  return [...new Set(out as ExecutionProvider[])];
}

/** The options, or a message and the usage on stderr and exit code 2. */
export function parseOptions(nvidia: boolean, argv = process.argv.slice(2)): GpuBenchOptions {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        providers: { type: 'string', default: defaultProviders(nvidia) },
        batch: { type: 'string', default: 'default' },
        concurrency: { type: 'string', default: '1,8,32,64' },
        seconds: { type: 'string', default: '20' },
        'min-requests': { type: 'string', default: '0' },
        warmup: { type: 'string', default: '3' },
        clips: { type: 'string', default: 'a' },
        'max-in-flight': { type: 'string', default: defaultInFlight() },
        'sample-ms': { type: 'string', default: '500' },
        out: { type: 'string', default: 'docs/bench/gpu-latest.json' },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      console.log(usage(nvidia));
      process.exit(0);
    }
    const levels = values.concurrency.split(',').map((v) => count('concurrency', v.trim(), 1));
    return {
      providers: providers(values.providers),
      batch: [
        ...new Set(
          values.batch
            .split(',')
            .map((v) => v.trim())
            .map((v): BatchSetting => (v === 'default' ? v : count('batch', v, 1))),
        ),
      ],
      concurrency: [...new Set(levels)].sort((a, b) => a - b),
      seconds: count('seconds', values.seconds, 1),
      minRequests: count('min-requests', values['min-requests'], 0),
      warmup: count('warmup', values.warmup, 0),
      clips: parseClipIds(values.clips),
      maxInFlight: count('max-in-flight', values['max-in-flight'], 1),
      sampleMs: count('sample-ms', values['sample-ms'], 100),
      out: values.out,
    };
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${usage(nvidia)}`);
    process.exit(2);
  }
}
