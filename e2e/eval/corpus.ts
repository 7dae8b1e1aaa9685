/**
 * The labelled corpus (../shared/data layout: MANIFEST.tsv, PAIRS.tsv), read for the
 * calibration and evaluation scripts. Read in place, never copied into the repo.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '../support/corpus.js';
import { repoRoot } from '../support/verifier-process.js';

export interface CorpusFile {
  readonly file: string;
  readonly source: string;
  readonly kind: string;
  readonly identity: string;
  readonly notes: string;
}

export interface CorpusPair {
  readonly a: string;
  readonly b: string;
  readonly label: string;
  readonly notes: string;
}

export { repoRoot };

/** SILENTID_DATA_DIR, else ../shared/data beside the repo (the e2e suites' folder). */
export function corpusDir(): string {
  return dataDir;
}

export function corpusPresent(dir = corpusDir()): boolean {
  return existsSync(path.join(dir, 'MANIFEST.tsv'));
}

function tsv(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
}

export function readManifest(dir = corpusDir()): CorpusFile[] {
  return tsv(path.join(dir, 'MANIFEST.tsv')).map((r) => ({
    file: r[0]!,
    source: r[1]!,
    kind: r[4]!,
    identity: r[5] ?? '',
    notes: r[6] ?? '',
  }));
}

/**
 * The MANIFEST.tsv of a corpus sub-folder that keeps its own (liveness-more/): its first
 * columns are the main MANIFEST's, and its paths are relative to the corpus root too.
 * Empty when the folder is absent.
 */
export function readSubManifest(folder: string, dir = corpusDir()): CorpusFile[] {
  const file = path.join(dir, folder, 'MANIFEST.tsv');
  return existsSync(file) ? readManifest(path.dirname(file)) : [];
}

export function readPairs(dir = corpusDir()): CorpusPair[] {
  return tsv(path.join(dir, 'PAIRS.tsv')).map((r) => ({
    a: r[0]!,
    b: r[1]!,
    label: r[2]!,
    notes: r[4] ?? '',
  }));
}

/** Resolution variants and mirrors of one photo: too easy to count as real genuine pairs. */
export const isTrivialPair = (p: CorpusPair): boolean =>
  /near-duplicate|mirror|aligned crop vs full image/i.test(p.notes);

/** The readers as one object, for call sites that read better as `corpus.readPairs()`. */
export const corpus = {
  corpusDir,
  corpusPresent,
  readManifest,
  readSubManifest,
  readPairs,
  isTrivialPair,
};

/** An identity the corpus asserts (not blank, "-" or marked uncertain). */
export const knownIdentity = (f: Pick<CorpusFile, 'identity'>): boolean =>
  f.identity !== '' && f.identity !== '-' && !f.identity.startsWith('uncertain');
