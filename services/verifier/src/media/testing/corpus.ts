/**
 * Test-only access to the shared real-media corpus, which a fresh clone does not have:
 * tests that need it skip with a visible message instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');

/** The corpus root: SILENTID_DATA_DIR, else ../shared/data beside the repository. */
export const corpusDir = path.resolve(
  process.env['SILENTID_DATA_DIR'] ?? path.join(repoRoot, '../shared/data'),
);

/** The absolute path of a corpus file, or undefined when it is absent. */
export function corpusFile(relative: string): string | undefined {
  const file = path.join(corpusDir, relative);
  return fs.existsSync(file) ? file : undefined;
}
