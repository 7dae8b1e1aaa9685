#!/usr/bin/env node
/**
 * The `silentid` CLI: asks a running service whether a selfie video is a live person and
 * the person in a photo, or encrypts a file into a form field value. `--help` lists the
 * options and the exit codes (the README's "Try it" repeats them).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UnexpectedReplyError, verifyRemote, type VerifyResponse } from './verify-client.js';
import { CipherKeyError, DEFAULT_KEY, DEFAULT_NONCE, sealToBase64 } from './wire-cipher.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
const DEFAULT_THRESHOLD = 0.7;

/** The process's exit status, one per kind of outcome, so that scripts can branch on it. */
export const ExitCode = {
  /** Live, and the same person at the threshold (`encrypt`: done). */
  passed: 0,
  /** The service answered: not live, or not the same person at the threshold. */
  rejected: 1,
  /** Bad arguments or an unreadable input file. */
  usage: 2,
  /** The service answered with an error code (e.g. 4000 no face, 1200 bad field, 5003 busy). */
  serviceError: 3,
  /** No answer: nothing listens at the URL, or the connection failed. */
  unreachable: 4,
  /** Anything else, e.g. --save-images could not be written. */
  failure: 5,
} as const;

/** Where the CLI writes and what environment it reads; tests pass their own. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
};

const usage = (env: CliIo['env']): string => `usage:
  silentid verify --photo FILE --video FILE [--url URL] [--key KEY] [--nonce NONCE]
                  [--threshold S] [--auto-rotate] [--check-quality] [--save-images DIR] [--json]
  silentid encrypt FILE [--key KEY] [--nonce NONCE]   prints the Base64 field value

options:
  --url URL        the service (default ${env.SILENTID_URL ?? DEFAULT_URL}; env SILENTID_URL)
  --key, --nonce   the wire key pair (default the vendor's; env SILENTID_KEY, SILENTID_NONCE)
  --threshold S    verification_score above which it is the same person (default ${DEFAULT_THRESHOLD})
  --json           print the service's JSON answer instead of a summary

exit codes:
  ${ExitCode.passed}  passed: live and the same person
  ${ExitCode.rejected}  rejected: not live, or not the same person at the threshold
  ${ExitCode.usage}  usage error: bad arguments or an unreadable file
  ${ExitCode.serviceError}  the service answered with an error code
  ${ExitCode.unreachable}  the service is unreachable (is it running? \`npm start\`)
  ${ExitCode.failure}  any other failure`;

/** A mistake of the caller's: the message and the usage go to stderr, exit 2. */
class UsageError extends Error {}

/** Runs one command and returns its exit code; never throws. */
export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    return await runCommand(argv, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof CipherKeyError) {
      io.err(`silentid: ${err.message}\n${usage(io.env)}\n`);
      return ExitCode.usage;
    }
    io.err(`silentid: ${err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.failure;
  }
}

async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, io.env);
  const [command, file] = positionals;
  if (values.help) {
    io.out(`${usage(io.env)}\n`);
    return ExitCode.passed;
  }
  if (command === 'encrypt' && file !== undefined) {
    io.out(`${sealToBase64(await readInput(file), values.key, values.nonce)}\n`);
    return ExitCode.passed;
  }
  if (command === undefined) throw new UsageError('no command given');
  if (command === 'encrypt') throw new UsageError('encrypt needs a FILE');
  if (command !== 'verify') throw new UsageError(`unknown command ${command}`);
  if (values.photo === undefined || values.video === undefined)
    throw new UsageError('verify needs --photo and --video');
  const url = serviceUrl(values.url);
  const threshold = Number(values.threshold);
  if (!(threshold >= 0 && threshold <= 1))
    throw new UsageError('--threshold must be a number from 0 to 1');
  const saveDir = values['save-images'];
  const params = {
    photo: await readInput(values.photo),
    video: await readInput(values.video),
    autoRotate: values['auto-rotate'],
    checkQuality: values['check-quality'],
    returnStatus: true,
    returnImage: saveDir !== undefined,
    returnFaceImage: saveDir !== undefined,
  };
  let reply: Awaited<ReturnType<typeof verifyRemote>>;
  try {
    reply = await verifyRemote(params, { url, key: values.key, nonce: values.nonce });
  } catch (err) {
    return noAnswer(err, url, io);
  }
  const { status, body } = reply;
  if (saveDir !== undefined && 'passed' in body) await saveImages(saveDir, body);
  io.out(values.json ? `${JSON.stringify(body)}\n` : `${describe(status, body, threshold)}\n`);
  if (!('passed' in body)) return ExitCode.serviceError;
  return accepted(body, threshold) ? ExitCode.passed : ExitCode.rejected;
}

function parseCommandLine(argv: string[], env: CliIo['env']) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        photo: { type: 'string' },
        video: { type: 'string' },
        url: { type: 'string', default: env.SILENTID_URL ?? DEFAULT_URL },
        key: { type: 'string', default: env.SILENTID_KEY ?? DEFAULT_KEY },
        nonce: { type: 'string', default: env.SILENTID_NONCE ?? DEFAULT_NONCE },
        threshold: { type: 'string', default: String(DEFAULT_THRESHOLD) },
        'auto-rotate': { type: 'boolean', default: false },
        'check-quality': { type: 'boolean', default: false },
        'save-images': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    // parseArgs names the unknown option or the missing value.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function serviceUrl(url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new UsageError(`--url must be an http(s) URL, got ${url}`);
  return url;
}

async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UsageError(`cannot read ${file} (${code})`);
  }
}

/** A request that got no usable answer: fetch's "fetch failed" is a connection that never was. */
function noAnswer(err: unknown, url: string, io: CliIo): number {
  if (err instanceof UnexpectedReplyError) {
    io.err(`silentid: ${url} answered HTTP ${err.status} without a silentid answer\n`);
    return ExitCode.serviceError;
  }
  if (err instanceof TypeError && err.message === 'fetch failed') {
    const cause = (err.cause as { code?: string } | undefined)?.code;
    io.err(
      `silentid: no answer from ${url}${cause ? ` (${cause})` : ''}: the service may not be ` +
        'running. Start it with `npm start`, or point --url (or SILENTID_URL) at it.\n',
    );
    return ExitCode.unreachable;
  }
  throw err;
}

type Answer = Extract<VerifyResponse, { passed: boolean }>;

/** Live, and the same person at the threshold. */
function accepted(body: Answer, threshold: number): boolean {
  return (
    body.passed && body.verification_score !== undefined && body.verification_score > threshold
  );
}

/** A readable summary of a response. */
export function describe(
  status: number,
  body: VerifyResponse,
  threshold = DEFAULT_THRESHOLD,
): string {
  if (!('passed' in body))
    return `error ${body.code} (HTTP ${status}): ${body.message}\nrequest ${body.request_id}`;
  const lines = [
    `liveness      ${body.passed ? 'PASSED' : 'FAILED'} (score ${body.liveness_score.toFixed(3)}${body.liveness_status ? `, ${body.liveness_status}` : ''})`,
  ];
  if (body.verification_score !== undefined) {
    const fmr = 10 ** (3 - 10 * body.verification_score);
    lines.push(
      `same person   ${body.verification_score > threshold ? 'YES' : 'NO'} (score ${body.verification_score.toFixed(3)}; ` +
        `false-match rate at this score ${fmr < 1e-6 ? '< 1e-6' : `≈ ${fmr.toExponential(1)}`}; threshold ${threshold})`,
    );
  }
  if (body.image_timestamp !== undefined)
    lines.push(`best frame    at ${body.image_timestamp.toFixed(2)} s`);
  lines.push(`request       ${body.request_id}`);
  return lines.join('\n');
}

async function saveImages(dir: string, body: Answer): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (body.base64_image)
    await writeFile(path.join(dir, 'frame.jpg'), Buffer.from(body.base64_image, 'base64'));
  if (body.base64_face_image)
    await writeFile(path.join(dir, 'face.jpg'), Buffer.from(body.base64_face_image, 'base64'));
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/silentid')) {
  process.exitCode = await run(process.argv.slice(2));
}
