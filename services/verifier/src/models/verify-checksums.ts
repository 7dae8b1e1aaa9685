import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BundleError, type ComponentName, type ResolvedBundle } from './bundle-manifest.js';

/** sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks every component file against the manifest's sha256. The verifier refuses to
 * start on a mismatch: a silently swapped model would change every decision it makes.
 */
export async function verifyChecksums(bundle: ResolvedBundle): Promise<void> {
  const bad: string[] = [];
  for (const [name, c] of Object.entries(bundle.manifest.components) as [
    ComponentName,
    { sha256: string },
  ][]) {
    const file = bundle.files[name];
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
