/** Makes every photo's face template once, through the service's own photo pipeline. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../services/verifier/src/config/config.js';
import { ApiError } from '../../services/verifier/src/errors/api-error.js';
import { decodePhoto } from '../../services/verifier/src/media/image/decode-photo.js';
import { analysePhoto } from '../../services/verifier/src/pipeline/analyse-photo.js';
import { StageTimer } from '../../services/verifier/src/pipeline/stage-timer.js';
import type { FaceTemplate } from '../../services/verifier/src/vision/face-matcher.js';
import type { FaceModels } from '../../services/verifier/src/vision/face-models.js';
import type { CorpusFile } from './corpus.js';

export type TemplateResult = { ok: true; template: FaceTemplate } | { ok: false; code: number };

export async function photoTemplates(
  models: FaceModels,
  dir: string,
  files: readonly CorpusFile[],
): Promise<Map<string, TemplateResult>> {
  const limits = loadConfig({}).image;
  const out = new Map<string, TemplateResult>();
  for (const f of files) {
    try {
      const decoded = await decodePhoto(await readFile(path.join(dir, f.file)), limits);
      const face = await analysePhoto(
        models,
        decoded.image,
        { autoRotate: false, checkQuality: false },
        new StageTimer(),
      );
      out.set(f.file, { ok: true, template: face.template });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      out.set(f.file, { ok: false, code: err.code });
    }
  }
  return out;
}
