/**
 * The shared corpus, read in place (never copied): SILENTID_DATA_DIR or ../shared/data.
 * Tests that need it skip with a visible reason when it is absent, so `npm test` still
 * passes on a fresh clone, and say so in the counts: each such test is registered with
 * `{ skip: corpusSkip }` (node:test counts it as skipped, with the reason), inside a
 * describe that is not skipped itself (a skipped describe never registers its tests,
 * so they would vanish from the counts), whose hooks return early when it is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './verifier-process.js';

export const dataDir = path.resolve(
  process.env.SILENTID_DATA_DIR ?? path.join(repoRoot, '../shared/data'),
);
export const corpusPresent = existsSync(path.join(dataDir, 'MANIFEST.tsv'));
export const corpusSkip = corpusPresent
  ? false
  : `corpus absent at ${dataDir} (set SILENTID_DATA_DIR)`;
export const corpusFile = (rel: string): string => path.join(dataDir, rel);
