/**
 * Liveness per video, in ISO/IEC 30107-3 terms: every presentation (a live video or an
 * attack clip) goes through `verify` exactly as a request would, and the decision is the
 * `passed` the API returns. APCER is counted per attack species, BPCER over bona fide
 * presentations; any refusal (4007 included) is a rejection, and 4007 is also counted.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../../services/verifier/src/errors/api-error.js';
import type { Config } from '../../services/verifier/src/config/config.js';
import { loadVideo } from '../../services/verifier/src/media/video/load-video.js';
import type {
  LivenessCues,
  LivenessEvidence,
} from '../../services/verifier/src/pipeline/liveness/fuse-liveness.js';
import { StageTimer } from '../../services/verifier/src/pipeline/stage-timer.js';
import { verify } from '../../services/verifier/src/pipeline/verify.js';
import type { FaceModels } from '../../services/verifier/src/vision/face-models.js';
import { MOTIONS, WARPS, makeStillClip, type Motion } from './attack-clips.js';
import type { CorpusFile } from './corpus.js';
import type { HumanPeer } from './peers/human.js';

export type Species =
  | 'bona-fide'
  | 'still-photo'
  | 'warped-photo'
  | 'recapture-still'
  | 'replay-video'
  | 'synthetic-video'
  | 'multi-face-video';

export interface Presentation {
  readonly id: string;
  /** The corpus file the presentation comes from. */
  readonly source: string;
  /** Its MANIFEST source repository and identity: what leave-one-source-out holds out. */
  readonly repo: string;
  readonly identity: string;
  readonly species: Species;
  readonly motion?: Motion;
  /** Why a reader should weigh this one differently. */
  readonly flag?: string;
  /** A ready video file, or a picture that becomes a clip at run time. */
  readonly video?: string;
  readonly picture?: string;
}

export interface PresentationResult {
  readonly id: string;
  readonly source: string;
  readonly repo: string;
  readonly identity: string;
  readonly species: Species;
  readonly motion?: Motion;
  readonly flag?: string;
  readonly passed: boolean;
  readonly status: 'ok' | 'hack' | 'short_time' | 'error';
  readonly errorCode?: number;
  readonly livenessScore?: number;
  readonly cues?: LivenessCues;
  readonly evidence?: LivenessEvidence;
  /** Mean per-frame scores of the human peer's antispoof and liveness models. */
  readonly human?: { readonly real: number; readonly live: number; readonly frames: number };
  readonly ms: number;
}

const MOVING = MOTIONS.filter((m) => m !== 'static');

export interface PresentationOptions {
  /** Moving motions per real photo besides the static clip (all five when ≥ 5). */
  readonly movingPerPhoto: number;
  /** Non-rigid warps per real photo (WARPS in turn; 0 for none). */
  readonly warpedPerPhoto?: number;
  readonly photoLimit?: number;
}

/** The presentations of the corpus; still pictures carry the motion they will be animated with. */
export function buildPresentations(
  manifest: readonly CorpusFile[],
  dir: string,
  opts: PresentationOptions,
): Presentation[] {
  const out: Presentation[] = [];
  const at = (f: CorpusFile) => path.join(dir, f.file);
  const of = (f: CorpusFile) => ({ source: f.file, repo: f.source, identity: f.identity });
  for (const f of manifest) {
    if (f.kind === 'video' || f.kind === 'live-video') {
      const flag = /hamilton/i.test(f.file)
        ? 'edited stage footage (small faces, a frozen shot, scene cuts), not a selfie'
        : undefined;
      out.push({
        id: f.file,
        ...of(f),
        species: 'bona-fide',
        video: at(f),
        ...(flag === undefined ? {} : { flag }),
      });
    } else if (f.kind === 'spoof-video-replay')
      out.push({ id: f.file, ...of(f), species: 'replay-video', video: at(f) });
    else if (f.kind === 'synthetic-video')
      out.push({ id: f.file, ...of(f), species: 'synthetic-video', video: at(f) });
    else if (f.kind === 'multi-face-video')
      out.push({ id: f.file, ...of(f), species: 'multi-face-video', video: at(f) });
  }
  const real = manifest
    .filter((f) => f.kind === 'photo' || f.kind === 'live-image')
    .slice(0, opts.photoLimit);
  real.forEach((f, i) => {
    const motions: Motion[] =
      opts.movingPerPhoto >= MOVING.length
        ? [...MOTIONS]
        : [
            'static',
            ...Array.from(
              { length: opts.movingPerPhoto },
              (_, k) => MOVING[(i * opts.movingPerPhoto + k) % MOVING.length]!,
            ),
          ];
    for (const motion of motions)
      out.push({
        id: `${f.file}#${motion}`,
        ...of(f),
        species: 'still-photo',
        motion,
        picture: at(f),
      });
    const warps = opts.warpedPerPhoto ?? 0;
    for (let k = 0; k < warps; k++) {
      const motion = WARPS[(i * warps + k) % WARPS.length]!;
      out.push({
        id: `${f.file}#${motion}`,
        ...of(f),
        species: 'warped-photo',
        motion,
        picture: at(f),
      });
    }
  });
  // Recaptured pictures are few: every motion of each.
  for (const f of manifest.filter(
    (m) => m.kind === 'spoof-image' || m.kind === 'spoof-image-print',
  )) {
    for (const motion of MOTIONS)
      out.push({
        id: `${f.file}#${motion}`,
        ...of(f),
        species: 'recapture-still',
        motion,
        picture: at(f),
      });
  }
  return out;
}

export interface LivenessRunDeps {
  readonly models: FaceModels;
  readonly config: Config;
  /** A real photo with one face: verify needs one; the liveness decision does not depend on it. */
  readonly photo: Uint8Array;
  readonly scratch: string;
  readonly human?: HumanPeer;
  /** Which presentations the human peer scores (it is slow on 2 cores). */
  readonly humanFor: (p: Presentation) => boolean;
  readonly humanFrames: number;
  readonly log: (line: string) => void;
}

/**
 * Runs every presentation. The next attack clip is rendered by ffmpeg while the current
 * one is analysed, and the human peer's TF.js (main thread) overlaps our ONNX sessions
 * (worker threads): on two cores that halves the wall time.
 */
export async function runPresentations(
  deps: LivenessRunDeps,
  presentations: readonly Presentation[],
): Promise<PresentationResult[]> {
  const prepare = (p: Presentation, i: number): Promise<string> =>
    p.video !== undefined
      ? Promise.resolve(p.video)
      : makeStillClip(p.picture!, p.motion!, deps.scratch, `p${i}`);
  const out: PresentationResult[] = [];
  let next: Promise<string> | undefined =
    presentations.length > 0 ? prepare(presentations[0]!, 0) : undefined;
  for (let i = 0; i < presentations.length; i++) {
    const p = presentations[i]!;
    const file = await next!;
    next = i + 1 < presentations.length ? prepare(presentations[i + 1]!, i + 1) : undefined;
    // A failed render surfaces when awaited; keep it from being reported as unhandled meanwhile.
    next?.catch(() => undefined);
    const t0 = performance.now();
    const bytes = await readFile(file);
    const [ours, human] = await Promise.all([
      judge(deps, bytes),
      deps.human !== undefined && deps.humanFor(p)
        ? humanScores(deps, deps.human, bytes)
        : Promise.resolve(undefined),
    ]);
    const { video: _v, picture: _p, ...meta } = p;
    out.push({
      ...meta,
      ...ours,
      ...(human === undefined ? {} : { human }),
      ms: performance.now() - t0,
    });
    if ((i + 1) % 25 === 0 || i + 1 === presentations.length)
      deps.log(`liveness: ${i + 1}/${presentations.length}`);
  }
  return out;
}

type Judgement = Pick<
  PresentationResult,
  'passed' | 'status' | 'errorCode' | 'livenessScore' | 'cues' | 'evidence'
>;

async function judge(deps: LivenessRunDeps, video: Uint8Array): Promise<Judgement> {
  try {
    const o = await verify(
      { models: deps.models, config: deps.config },
      {
        photo: deps.photo,
        video,
        autoRotate: false,
        checkQuality: false,
        returnImage: false,
        returnFaceImage: false,
      },
      new StageTimer(),
    );
    return {
      passed: o.passed,
      status: o.livenessStatus,
      livenessScore: o.livenessScore,
      ...(o.liveness === undefined ? {} : { cues: o.liveness.cues, evidence: o.liveness.evidence }),
    };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { passed: false, status: 'error', errorCode: err.code };
  }
}

/** The peer sees the frames our pipeline samples (same decoder, same limits), evenly thinned. */
async function humanScores(
  deps: LivenessRunDeps,
  human: HumanPeer,
  bytes: Uint8Array,
): Promise<PresentationResult['human']> {
  let frames;
  try {
    frames = (
      await loadVideo(bytes, deps.config.video, deps.config.sampling, {
        ffmpegPath: deps.config.ffmpegPath,
        ffprobePath: deps.config.ffprobePath,
      })
    ).frames;
  } catch {
    return { real: NaN, live: NaN, frames: 0 };
  }
  const step = Math.max(1, frames.length / deps.humanFrames);
  const picked = Array.from(
    { length: Math.min(deps.humanFrames, frames.length) },
    (_, k) => frames[Math.floor(k * step)]!,
  );
  const scores = [];
  for (const f of picked) {
    const s = await human.frameLiveness(f.image);
    if (s !== undefined) scores.push(s);
  }
  const mean = (v: number[]) => (v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length);
  return {
    real: mean(scores.map((s) => s.real)),
    live: mean(scores.map((s) => s.live)),
    frames: scores.length,
  };
}
