/**
 * Watches the camera preview a few times a second: each sampled frame is scaled into a
 * small canvas, measured and judged. The page shows the latest hint live; a recording
 * keeps the tally of every hint seen while it ran, for the check before upload.
 */
import { browserFaceFinder, type FaceFinder } from './face-finder.js';
import { emptyTally, type FrameTally } from './clip-gate.js';
import { GUIDE_OVAL, measureOval, type FrameStats, type Oval } from './frame-stats.js';
import { judgeFrame, type FrameHint } from './judge-frame.js';

export interface FrameVerdict {
  readonly hint: FrameHint;
  readonly stats: FrameStats;
}

export interface WatchOptions {
  /** Sampling period; default 200 ms. */
  readonly intervalMs?: number;
  /** The guide oval (default GUIDE_OVAL): draw the same one over the preview. */
  readonly oval?: Oval;
  /** Default: the browser's FaceDetector where it has one. */
  readonly faceFinder?: FaceFinder;
  readonly onVerdict?: (verdict: FrameVerdict) => void;
}

export interface FrameWatcher {
  /** Starts a new tally (call when a recording starts). */
  resetTally(): void;
  /** The hints counted since the last reset. */
  tally(): FrameTally;
  stop(): void;
}

/** Analysed at this width: enough for a face's colour, cheap on a phone. */
const SAMPLE_WIDTH = 160;

export function watchFrames(video: HTMLVideoElement, options: WatchOptions = {}): FrameWatcher {
  const oval = options.oval ?? GUIDE_OVAL;
  const findFaces = options.faceFinder ?? browserFaceFinder();
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let counts = emptyTally();
  let busy = false;
  const sample = async (): Promise<void> => {
    // A frame is there once the element knows its size; skip while a sample runs.
    if (busy || context === null || video.videoWidth === 0) return;
    busy = true;
    try {
      canvas.width = SAMPLE_WIDTH;
      canvas.height = Math.round((SAMPLE_WIDTH * video.videoHeight) / video.videoWidth);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      const stats = measureOval(pixels, oval);
      const faces = await findFaces(canvas);
      const hint = judgeFrame({ width: canvas.width, height: canvas.height, stats, faces }, oval);
      counts[hint]++;
      options.onVerdict?.({ hint, stats });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), options.intervalMs ?? 200);
  return {
    resetTally: () => {
      counts = emptyTally();
    },
    tally: () => ({ ...counts }),
    stop: () => clearInterval(timer),
  };
}
