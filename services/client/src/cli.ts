#!/usr/bin/env node
/**
 * silentid CLI.
 *   silentid verify --photo p.jpg --video v.mp4 [--url URL] [--key K] [--nonce N]
 *                   [--auto-rotate] [--check-quality] [--save-images DIR] [--json]
 *   silentid encrypt FILE [--key K] [--nonce N]    (prints the Base64 field value)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyRemote, type VerifyResponse } from './verify-client.js';
import { DEFAULT_KEY, DEFAULT_NONCE, sealToBase64 } from './wire-cipher.js';

const USAGE = `usage:
  silentid verify --photo FILE --video FILE [--url URL] [--key KEY] [--nonce NONCE]
                  [--auto-rotate] [--check-quality] [--save-images DIR] [--json]
  silentid encrypt FILE [--key KEY] [--nonce NONCE]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      photo: { type: 'string' },
      video: { type: 'string' },
      url: { type: 'string', default: process.env.SILENTID_URL ?? 'http://127.0.0.1:3000' },
      key: { type: 'string', default: process.env.SILENTID_KEY ?? DEFAULT_KEY },
      nonce: { type: 'string', default: process.env.SILENTID_NONCE ?? DEFAULT_NONCE },
      'auto-rotate': { type: 'boolean', default: false },
      'check-quality': { type: 'boolean', default: false },
      'save-images': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, file] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command === 'encrypt' && file !== undefined) {
    process.stdout.write(`${sealToBase64(await readFile(file), values.key, values.nonce)}\n`);
    return 0;
  }
  if (command !== 'verify' || values.photo === undefined || values.video === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const saveDir = values['save-images'];
  const { status, body } = await verifyRemote(
    {
      photo: await readFile(values.photo),
      video: await readFile(values.video),
      autoRotate: values['auto-rotate'],
      checkQuality: values['check-quality'],
      returnStatus: true,
      returnImage: saveDir !== undefined,
      returnFaceImage: saveDir !== undefined,
    },
    { url: values.url, key: values.key, nonce: values.nonce },
  );
  if (saveDir !== undefined && 'passed' in body) await saveImages(saveDir, body);
  process.stdout.write(values.json ? `${JSON.stringify(body)}\n` : `${describe(status, body)}\n`);
  return body.code === 1000 ? 0 : 1;
}

/** A readable summary of a response. */
export function describe(status: number, body: VerifyResponse): string {
  if (!('passed' in body))
    return `error ${body.code} (HTTP ${status}): ${body.message}\nrequest ${body.request_id}`;
  const lines = [
    `liveness      ${body.passed ? 'PASSED' : 'FAILED'} (score ${body.liveness_score.toFixed(3)}${body.liveness_status ? `, ${body.liveness_status}` : ''})`,
  ];
  if (body.verification_score !== undefined) {
    const fmr = 10 ** (3 - 10 * body.verification_score);
    lines.push(
      `same person   ${body.verification_score > 0.7 ? 'YES' : 'NO'} (score ${body.verification_score.toFixed(3)}; ` +
        `false-match rate at this threshold ≈ ${fmr < 1e-6 ? '< 1e-6' : fmr.toExponential(1)}; recommended threshold 0.7)`,
    );
  }
  if (body.image_timestamp !== undefined)
    lines.push(`best frame    at ${body.image_timestamp.toFixed(2)} s`);
  lines.push(`request       ${body.request_id}`);
  return lines.join('\n');
}

async function saveImages(
  dir: string,
  body: Extract<VerifyResponse, { passed: boolean }>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (body.base64_image)
    await writeFile(path.join(dir, 'frame.jpg'), Buffer.from(body.base64_image, 'base64'));
  if (body.base64_face_image)
    await writeFile(path.join(dir, 'face.jpg'), Buffer.from(body.base64_face_image, 'base64'));
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/silentid')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`silentid: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
