/**
 * Runs a program as a child process, spawned directly (no shell: file names and
 * arguments are never parsed), under a time limit and an AbortSignal. On a timeout, an
 * abort or any error the child is killed with SIGKILL, and the promise settles only
 * once the child has exited: it never outlives the call.
 *
 * A child that dies by a signal we did not send was stopped from outside (the OOM
 * killer, an operator, a drain): that is the server's failure, not the input's, so it
 * rejects (ProcessKilledError) instead of reading as a short or failed decode. Only the
 * signals a program raises on itself when it crashes (decision 0013) resolve as before.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface RunOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /**
   * Receives stdout as it arrives instead of it being buffered; throwing from it kills
   * the child and rejects with that error.
   */
  readonly onStdout?: (chunk: Buffer) => void;
  /** When given, the child gets a fourth stdio pipe (fd 3), read into this like onStdout. */
  readonly onFd3?: (chunk: Buffer) => void;
  /** Buffered stdout beyond this many bytes kills the child (default 16 MiB). */
  readonly maxStdoutBytes?: number;
  /**
   * Receives, once the child is spawned, a way to stop reading its outputs (stdout and
   * fd 3) and to read on: a child whose pipes are full blocks on its next write, so a
   * reader that cannot keep up holds the child back instead of buffering its output.
   */
  readonly onSpawn?: (outputs: OutputFlow) => void;
}

/** Pausing and resuming the reading of a child's outputs (see RunOptions.onSpawn). */
export interface OutputFlow {
  pause(): void;
  resume(): void;
}

export interface RunResult {
  readonly exitCode: number | null;
  /** Only ever a crash signal (SIGSEGV, SIGABRT, ...): any other rejects. */
  readonly exitSignal: NodeJS.Signals | null;
  /** Empty when onStdout consumed the output. */
  readonly stdout: Buffer;
  /** The last few KiB of stderr, for error causes (never for responses). */
  readonly stderr: string;
}

/** The child ran past its time limit and was killed. */
export class ProcessTimeoutError extends Error {
  override name = 'ProcessTimeoutError';
}

/**
 * The child was killed by a signal that this call did not send (see the file's comment).
 * A plain Error, not an ApiError: the HTTP layer answers it as an internal fault (5000)
 * and logs it, since the client's request was never judged.
 */
export class ProcessKilledError extends Error {
  override name = 'ProcessKilledError';
  constructor(
    file: string,
    readonly exitSignal: NodeJS.Signals,
  ) {
    super(`${file} was killed by ${exitSignal}, a signal from outside the service`);
  }
}

/**
 * Signals a program gets from its own fault: a decoder that crashes on a file is a file
 * it cannot decode (2005, as a non-zero exit is), and retrying it fails the same way.
 * Every other signal (SIGKILL, SIGTERM, SIGINT, SIGHUP, ...) is sent from outside.
 */
const CRASH_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set([
  'SIGSEGV',
  'SIGBUS',
  'SIGFPE',
  'SIGILL',
  'SIGABRT',
  'SIGTRAP',
  'SIGSYS',
]);

const STDERR_TAIL = 8 * 1024;

/**
 * Runs `file` with `args` to completion; rejects on timeout, abort, spawn failure,
 * onStdout error, or a kill from outside (ProcessKilledError).
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const { signal, timeoutMs, onStdout, onFd3 } = options;
  const maxStdout = options.maxStdoutBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe', onFd3 === undefined ? 'ignore' : 'pipe'],
      shell: false,
    });
    // Both are pipes (above); the four-element stdio only loses spawn's precise types.
    const stdoutPipe = child.stdout!;
    const stderrPipe = child.stderr!;
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: { error: unknown } | undefined;

    const fail = (error: unknown) => {
      if (failure !== undefined) return;
      failure = { error };
      child.kill('SIGKILL');
    };
    const onAbort = () => fail(signal?.reason);
    const timer = setTimeout(
      () => fail(new ProcessTimeoutError(`${file} ran longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });

    stdoutPipe.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      try {
        if (onStdout !== undefined) {
          onStdout(chunk);
        } else {
          stdoutBytes += chunk.length;
          if (stdoutBytes > maxStdout)
            throw new Error(`${file} wrote more than ${maxStdout} bytes`);
          stdout.push(chunk);
        }
      } catch (err) {
        fail(err);
      }
    });
    // A second output stream (ffmpeg's `pipe:3`), read as it comes so that the child never
    // blocks on one pipe while we wait on the other.
    const fd3 = onFd3 === undefined ? undefined : (child.stdio[3] as Readable | null);
    fd3?.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      try {
        onFd3!(chunk);
      } catch (err) {
        fail(err);
      }
    });
    fd3?.on('error', fail);
    options.onSpawn?.({
      pause: () => {
        stdoutPipe.pause();
        fd3?.pause();
      },
      resume: () => {
        stdoutPipe.resume();
        fd3?.resume();
      },
    });
    stderrPipe.setEncoding('utf8');
    stderrPipe.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    // A spawn failure (ENOENT, EACCES) emits 'error' and then 'close' with no process.
    child.on('error', fail);
    child.on('close', (exitCode, exitSignal) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // `failure` is set before each kill of ours, so a signal without it came from outside.
      if (failure !== undefined) reject(failure.error);
      else if (exitSignal !== null && !CRASH_SIGNALS.has(exitSignal))
        reject(new ProcessKilledError(file, exitSignal));
      else resolve({ exitCode, exitSignal, stdout: Buffer.concat(stdout), stderr });
    });
  });
}
