/**
 * The verifier's own corpus readers (services/verifier/scripts), reused rather than
 * rewritten. Those scripts sit outside every tsconfig project, so tsc cannot follow a
 * static import into them; they are loaded at run time (tsx) and the shape relied on is
 * stated here.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Embedding } from '../../services/verifier/src/vision/embedder.js';
import type { FaceModels } from '../../services/verifier/src/vision/face-models.js';

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

export type EmbeddingResult = { ok: true; embedding: Embedding } | { ok: false; code: number };

interface CorpusModule {
  corpusDir(): string;
  corpusPresent(dir?: string): boolean;
  readManifest(dir?: string): CorpusFile[];
  readPairs(dir?: string): CorpusPair[];
  isTrivialPair(p: CorpusPair): boolean;
}

interface EmbeddingsModule {
  embedPhotos(models: FaceModels, dir: string, files: readonly CorpusFile[]): Promise<Map<string, EmbeddingResult>>;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scripts = path.join(repoRoot, 'services/verifier/scripts');
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(scripts, file)).href)) as T;

export const corpus = await load<CorpusModule>('corpus.ts');
export const { embedPhotos } = await load<EmbeddingsModule>('photo-embeddings.ts');

/** An identity the corpus asserts (not blank, "-" or marked uncertain). */
export const knownIdentity = (f: CorpusFile): boolean => f.identity !== '' && f.identity !== '-' && !f.identity.startsWith('uncertain');
