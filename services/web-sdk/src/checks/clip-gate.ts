/**
 * The checks a recording must pass before it is uploaded: long enough for the service
 * to analyse (it answers `short_time` under VIDEO_MIN_SECONDS, so a short clip would be
 * an upload for nothing), not over its maximum, and a face seen in good light in most of
 * the frames sampled while it was recorded.
 */
import { SilentIdError } from '../errors.js';
import type { FrameHint } from './judge-frame.js';

/** How many sampled frames got each hint during the recording. */
export type FrameTally = Readonly<Record<FrameHint, number>>;

export const emptyTally = (): Record<FrameHint, number> => ({
  ok: 0,
  'no-face': 0,
  'too-far': 0,
  'off-centre': 0,
  'too-dark': 0,
  'too-bright': 0,
});

export interface ClipLimits {
  /** The service's VIDEO_MIN_SECONDS (2 s by default). */
  readonly minSeconds: number;
  /** The service's VIDEO_MAX_SECONDS (60 s by default). */
  readonly maxSeconds: number;
  /** Share of sampled frames that must be `ok`; default one half. */
  readonly minGoodShare?: number;
}

/** Throws a SilentIdError (too-short, too-long, bad-light, no-face) that says what to do. */
export function gateClip(clip: { seconds: number; tally: FrameTally }, limits: ClipLimits): void {
  const { seconds, tally } = clip;
  if (seconds < limits.minSeconds) {
    throw new SilentIdError(
      'too-short',
      `The recording is ${seconds.toFixed(1)} s long; at least ${limits.minSeconds} s are needed. Record again and hold still until it stops.`,
    );
  }
  if (seconds > limits.maxSeconds) {
    throw new SilentIdError(
      'too-long',
      `The recording is ${seconds.toFixed(1)} s long; at most ${limits.maxSeconds} s are accepted.`,
    );
  }
  const total = Object.values(tally).reduce((a, b) => a + b, 0);
  // No frame sampled (a background tab throttles timers): nothing to judge on, so the
  // service decides.
  if (total === 0) return;
  if (tally.ok / total >= (limits.minGoodShare ?? 0.5)) return;
  const badLight = tally['too-dark'] + tally['too-bright'];
  if (badLight >= total / 2) {
    throw new SilentIdError(
      'bad-light',
      tally['too-dark'] >= tally['too-bright']
        ? 'Your face was too dark in most of the recording. Face a light source and record again.'
        : 'Your face was washed out in most of the recording. Move away from direct light and record again.',
    );
  }
  throw new SilentIdError(
    'no-face',
    tally['too-far'] + tally['off-centre'] > tally['no-face']
      ? 'Your face was too small or outside the oval in most of the recording. Come closer, fill the oval and record again.'
      : 'No face was seen in most of the recording. Keep your face inside the oval and record again.',
  );
}
