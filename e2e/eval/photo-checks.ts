/**
 * The photo-side options of the API, measured: check_quality's occlusion refusal (4004)
 * and auto_rotate on photos turned by 90/180/270° (pixels rotated, no EXIF).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Config } from '../../services/verifier/src/config/config.js';
import { ApiError } from '../../services/verifier/src/errors/api-error.js';
import { decodePhoto } from '../../services/verifier/src/media/image/decode-photo.js';
import type { RgbImage } from '../../services/verifier/src/media/types.js';
import {
  analysePhoto,
  type PhotoFace,
} from '../../services/verifier/src/pipeline/analyse-photo.js';
import { StageTimer } from '../../services/verifier/src/pipeline/stage-timer.js';
import { cosine } from '../../services/verifier/src/vision/embedder.js';
import type { FaceModels } from '../../services/verifier/src/vision/face-models.js';
import type { CorpusFile } from './corpus.js';
import { precisionRecall, type PrecisionRecall } from './metrics.js';

type Outcome = { ok: true; face: PhotoFace } | { ok: false; code: number };

async function analyse(
  models: FaceModels,
  image: RgbImage,
  autoRotate: boolean,
  checkQuality: boolean,
): Promise<Outcome> {
  try {
    return {
      ok: true,
      face: await analysePhoto(models, image, { autoRotate, checkQuality }, new StageTimer()),
    };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { ok: false, code: err.code };
  }
}

const decode = async (dir: string, f: CorpusFile, config: Config): Promise<RgbImage> =>
  (await decodePhoto(await readFile(path.join(dir, f.file)), config.image)).image;

export interface OcclusionResult {
  /** Occluded photos (positives) vs clean photos (negatives), among those with a face found. */
  readonly refusal: PrecisionRecall;
  readonly positives: number;
  readonly negatives: number;
  /** Occluded photos where no face was found at all (4000): refused, but not by the occlusion check. */
  readonly occludedNoFace: readonly string[];
  readonly cleanNoFace: readonly string[];
  readonly missed: readonly string[];
  readonly falseRefusals: readonly string[];
}

/** check_quality: 4004 on `occluded-face` photos (positives) vs clean `photo` kind (negatives). */
export async function measureOcclusion(
  models: FaceModels,
  config: Config,
  dir: string,
  manifest: readonly CorpusFile[],
): Promise<OcclusionResult> {
  const run = async (files: readonly CorpusFile[]) => {
    const out: { file: string; o: Outcome }[] = [];
    for (const f of files)
      out.push({
        file: f.file,
        o: await analyse(models, await decode(dir, f, config), false, true),
      });
    return out;
  };
  const pos = await run(manifest.filter((f) => f.kind === 'occluded-face'));
  const neg = await run(manifest.filter((f) => f.kind === 'photo'));
  const noFace = (r: { o: Outcome }) => !r.o.ok && r.o.code === 4000;
  const refused = (r: { o: Outcome }) => !r.o.ok && r.o.code === 4004;
  const posFound = pos.filter((r) => !noFace(r));
  const negFound = neg.filter((r) => !noFace(r));
  return {
    refusal: precisionRecall(posFound.map(refused), negFound.map(refused)),
    positives: posFound.length,
    negatives: negFound.length,
    occludedNoFace: pos.filter(noFace).map((r) => r.file),
    cleanNoFace: neg.filter(noFace).map((r) => r.file),
    missed: posFound.filter((r) => !refused(r)).map((r) => r.file),
    falseRefusals: negFound.filter(refused).map((r) => r.file),
  };
}

export interface RotationRow {
  readonly degrees: number;
  readonly autoRotate: boolean;
  readonly successes: number;
  readonly n: number;
  readonly rate: number;
  readonly noFace: number;
  readonly failures: readonly string[];
}

export interface AutoRotateResult {
  readonly photos: number;
  /** Photos left out because no face was found upright: nothing to compare against. */
  readonly uprightNoFace: readonly string[];
  readonly rows: readonly RotationRow[];
}

/** Success: a face found and its embedding within cosine 0.5 of the upright photo's (the right orientation chosen). */
export const ROTATION_MIN_COSINE = 0.5;

export async function measureAutoRotate(
  models: FaceModels,
  config: Config,
  dir: string,
  photos: readonly CorpusFile[],
): Promise<AutoRotateResult> {
  const uprightNoFace: string[] = [];
  const tally = new Map<
    string,
    { successes: number; n: number; noFace: number; failures: string[] }
  >();
  for (const f of photos) {
    const image = await decode(dir, f, config);
    const upright = await analyse(models, image, false, false);
    if (!upright.ok) {
      uprightNoFace.push(f.file);
      continue;
    }
    for (const degrees of [0, 90, 180, 270]) {
      const turned = degrees === 0 ? image : await rotate(image, degrees);
      for (const autoRotate of [false, true]) {
        const o = await analyse(models, turned, autoRotate, false);
        const ok =
          o.ok &&
          cosine(o.face.template.embedding, upright.face.template.embedding) >= ROTATION_MIN_COSINE;
        const t = tally.get(`${degrees}/${autoRotate}`) ?? {
          successes: 0,
          n: 0,
          noFace: 0,
          failures: [],
        };
        t.n++;
        if (ok) t.successes++;
        else t.failures.push(f.file);
        if (!o.ok) t.noFace++;
        tally.set(`${degrees}/${autoRotate}`, t);
      }
    }
  }
  const rows = [...tally].map(([k, t]) => {
    const [deg, auto] = k.split('/');
    return {
      degrees: Number(deg),
      autoRotate: auto === 'true',
      ...t,
      rate: t.n === 0 ? NaN : t.successes / t.n,
    };
  });
  return { photos: photos.length, uprightNoFace, rows };
}

/** Pixels turned clockwise by sharp; no EXIF is involved, so the decoder cannot undo it. */
async function rotate(image: RgbImage, degrees: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .rotate(degrees)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
