/**
 * The same request's work through an open peer, @vladmandic/human on the TF.js wasm
 * backend (the evaluation's loader, e2e/eval/peers/human.ts): on the photo, face
 * detection + description; on every frame the service samples, detection + description +
 * its antispoof and liveness models; then the photo's embedding compared with each
 * frame's. Fair by construction: the very frames and photo pixels our model floor used
 * (no decoder of its own, so the peer's decode is our decode floor), one request at a
 * time, after an untimed warm-up run on the same input.
 */
import type { RgbImage, VideoFrame } from '../../services/verifier/src/media/types.js';
import type { HumanAnalysis, HumanPeer } from '../eval/peers/human.js';
import type { Decoded } from './floors.js';
import { timeRuns } from './stats.js';

export interface PeerResult {
  readonly name: string;
  readonly description: string;
  readonly runs: number;
  /** The peer's model work per request (photo + every sampled frame + comparisons), ms. */
  readonly modelMs: number[];
  readonly frames: number;
  /** Frames where the peer found a face. */
  readonly framesWithFace: number;
  /** The peer's best photo-to-frame score (−euclidean: higher = more alike). */
  readonly bestScore: number | undefined;
  readonly meanReal: number | undefined;
  readonly meanLive: number | undefined;
}

interface PeerVerdict {
  readonly photo: HumanAnalysis | undefined;
  readonly frames: (HumanAnalysis | undefined)[];
  readonly bestScore: number | undefined;
}

/** One request's work: photo, then the frames in order, then the comparisons. */
async function peerRequest(
  peer: HumanPeer,
  photo: RgbImage,
  frames: readonly VideoFrame[],
): Promise<PeerVerdict> {
  const onPhoto = await peer.analyse(photo, false);
  const onFrames: (HumanAnalysis | undefined)[] = [];
  for (const f of frames) onFrames.push(await peer.analyse(f.image, true));
  let bestScore: number | undefined;
  if (onPhoto?.embedding !== undefined) {
    for (const f of onFrames) {
      if (f?.embedding === undefined) continue;
      const s = peer.compare(onPhoto.embedding, f.embedding);
      if (bestScore === undefined || s > bestScore) bestScore = s;
    }
  }
  return { photo: onPhoto, frames: onFrames, bestScore };
}

export async function measurePeer(
  peer: HumanPeer,
  decoded: Decoded,
  runs: number,
): Promise<PeerResult> {
  let last: PeerVerdict | undefined;
  const modelMs = await timeRuns(runs, 1, async () => {
    last = await peerRequest(peer, decoded.photo, decoded.frames);
  });
  const found = last!.frames.filter((f): f is HumanAnalysis => f !== undefined);
  const mean = (v: (number | undefined)[]) => {
    const ok = v.filter((x): x is number => x !== undefined && Number.isFinite(x));
    return ok.length === 0 ? undefined : ok.reduce((a, b) => a + b, 0) / ok.length;
  };
  return {
    name: peer.name,
    description: `${peer.description}; per frame also ${peer.livenessModels.join(' + ') || 'no liveness model'}; iris off`,
    runs,
    modelMs,
    frames: decoded.frames.length,
    framesWithFace: found.length,
    bestScore: last!.bestScore,
    meanReal: mean(found.map((f) => f.real)),
    meanLive: mean(found.map((f) => f.live)),
  };
}
