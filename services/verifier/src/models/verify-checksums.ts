import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BundleError, type ResolvedBundle } from './bundle-manifest.js';

/** sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const sha256Bytes = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Checks every ONNX component file against the manifest's sha256. The verifier refuses
 * to start on a mismatch: a silently swapped model would change every decision it makes.
 * A converted component (the descriptor) is checked on the model it converts to, by
 * `checkConverted`, since that is what runs.
 */
export async function verifyChecksums(bundle: ResolvedBundle): Promise<void> {
  const { descriptor: _converted, ...onnx } = bundle.manifest.components;
  const bad: string[] = [];
  for (const [name, c] of Object.entries(onnx)) {
    const file = bundle.files[name as keyof typeof onnx];
    // An optional component the bundle leaves out has neither a spec nor a file.
    if (c === undefined || file === undefined) continue;
    let actual: string;
    try {
      actual = await sha256File(file);
    } catch (cause) {
      throw new BundleError(`model component ${name}: cannot read ${file}`, { cause });
    }
    if (actual !== c.sha256)
      bad.push(`${name}: ${file} has sha256 ${actual}, the manifest says ${c.sha256}`);
  }
  if (bad.length > 0)
    throw new BundleError(`model checksum mismatch in ${bundle.id}:\n  ${bad.join('\n  ')}`);
}

/** The same check for a model built at load from the component's file. */
export function checkConverted(
  bundle: ResolvedBundle,
  name: string,
  file: string,
  model: Uint8Array,
  expected: string,
): void {
  const actual = sha256Bytes(model);
  if (actual !== expected)
    throw new BundleError(
      `model checksum mismatch in ${bundle.id}:\n  ${name}: the model built from ${file} has sha256 ${actual}, the manifest says ${expected}`,
    );
}
