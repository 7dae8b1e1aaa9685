/**
 * Test-only: the real verifier (startVerifier: built-in models, the real listener and
 * its timeouts) on a free port of 127.0.0.1, with its JSON log lines kept in memory,
 * and the raw-socket helpers that HTTP tests need.
 */
import net from 'node:net';
import { loadConfig } from '../config/config.js';
import { startVerifier, type RunningVerifier } from '../server.js';

export interface TestVerifier {
  readonly url: string;
  readonly port: number;
  readonly verifier: RunningVerifier;
  /** Every log line so far, as written. */
  logText(): string;
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  /** The /metrics value of an unlabelled series, e.g. silentid_queue_depth. */
  metric(name: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** Starts the service with `env` over test defaults (free port, no frame workers). */
export async function startTestVerifier(env: Record<string, string> = {}): Promise<TestVerifier> {
  const lines: string[] = [];
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    VISION_WORKERS: '0',
    SHUTDOWN_GRACE_MS: '200',
    ...env,
  });
  const verifier = await startVerifier(config, {
    logDestination: { write: (line: string) => void lines.push(line) },
  });
  const url = verifier.url;
  return {
    url,
    port: Number(new URL(url).port),
    verifier,
    logText: () => lines.join(''),
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    metric: async (name) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    },
    stop: () => verifier.shutdown(),
  };
}

/** Polls `condition` every 25 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A raw TCP connection that records what it receives and when it closed. */
export interface RawConnection {
  readonly socket: net.Socket;
  /** Everything received so far, as latin1 text. */
  received(): string;
  /** Resolves with Date.now() at 'close'. */
  readonly closed: Promise<number>;
}

/** Connects to 127.0.0.1:`port` and resolves once connected. */
export async function connect(port: number): Promise<RawConnection> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => {}); // a reset is one way to close; 'close' follows
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

/** Resolves with the value of `promise`, or fails with `what` after `timeoutMs`. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
