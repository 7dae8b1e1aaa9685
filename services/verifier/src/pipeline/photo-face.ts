import { inField } from '../errors/api-error.js';
import { decodePhoto } from '../media/image/decode-photo.js';
import { analysePhoto, type PhotoFace, type PhotoOptions } from './analyse-photo.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { StageTimer } from './stage-timer.js';

/** Decodes a request's photo and finds, checks and embeds its face; errors name the field. */
export async function photoFace(
  deps: PipelineDeps,
  field: string,
  bytes: Uint8Array,
  opts: PhotoOptions,
  timer: StageTimer,
): Promise<PhotoFace> {
  try {
    const decoded = await timer.time('decode', () => decodePhoto(bytes, deps.config.image));
    return await analysePhoto(deps.models, decoded.image, opts, timer);
  } catch (err) {
    throw inField(field, err);
  }
}
