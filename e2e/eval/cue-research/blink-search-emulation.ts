/**
 * Decision 0028's measurement: how many clips of each class show a blink by the service's
 * own rule (`blinkDepth`, the bundle's constants) in the first window only, and when the
 * rest of the clip is searched on to 10 s at a given rate. Reads the per-frame
 * observations that dump-observations.ts writes (every frame, native rate, ≤ 10 s); the
 * service's sampling is emulated by the frame nearest each sampling instant.
 *
 *   node --import tsx e2e/eval/cue-research/blink-search-emulation.ts [OBS_DIR]
 */
import { loadConfig } from '../../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../../services/verifier/src/models/bundle-manifest.js';
import { blinkDepth } from '../../../services/verifier/src/pipeline/liveness/temporal-cues.js';
import type { FrameObservation } from '../../../services/verifier/src/pipeline/track-face.js';
import type { Point } from '../../../services/verifier/src/vision/geometry/types.js';
import { readDumps, tracked, type TrackedFrame } from './observation-dumps.js';

const dir = process.argv[2] ?? '/tmp/obs';
const config = loadConfig({ ...process.env });
const cal = (await loadBundleManifest(config.modelBundleDir)).manifest.calibration.liveness;
const firstSeconds = config.sampling.maxFrames / config.sampling.fps;
const RATES = [8, 12, 15, 30];

/** Only what blinkDepth reads: the eyes and the landmarks. */
const observation = (f: TrackedFrame): FrameObservation =>
  ({
    eyes: f.eyes,
    face: { landmarks: f.lm.map(([x, y]): Point => ({ x, y })) },
  }) as unknown as FrameObservation;

/** The frame nearest each instant k/fps in [from, to), as the service's fps filter picks. */
function sample(frames: readonly TrackedFrame[], fps: number, from: number, to: number) {
  const out: TrackedFrame[] = [];
  const last = frames.at(-1)!.t;
  for (let k = Math.ceil(from * fps - 1e-9); k / fps < to && k / fps <= last + 1e-6; k++) {
    const t = k / fps;
    const near = frames.reduce((a, b) => (Math.abs(b.t - t) < Math.abs(a.t - t) ? b : a));
    if (Math.abs(near.t - t) < 0.05 && out.at(-1) !== near) out.push(near);
  }
  return out;
}

const counts = new Map<string, { n: number; first: number; searched: number[] }>();
for await (const dump of readDumps(dir)) {
  const frames = dump.frames
    .filter(tracked)
    .filter((f) => f.iod >= cal.usableFace.minInterOcularPx);
  if (frames.length < cal.usableFace.minTrackedFrames) continue;
  const c = counts.get(dump.species) ?? { n: 0, first: 0, searched: RATES.map(() => 0) };
  counts.set(dump.species, c);
  const first = sample(frames, config.sampling.fps, 0, firstSeconds).map(observation);
  const own = blinkDepth(first, cal.blink);
  const blinked = (depth: number) => depth >= cal.blink.depth;
  c.n++;
  if (blinked(own)) c.first++;
  RATES.forEach((fps, i) => {
    const later = sample(frames, fps, firstSeconds, 10).map(observation);
    const depth = Math.max(own, blinkDepth([...first, ...later], cal.blink));
    if (blinked(depth)) {
      c.searched[i]!++;
      if (!blinked(own) && fps === 15) console.log(`found later at 15 fps: ${dump.id}`);
    }
  });
}

console.log(
  `\n| class | clips | blink in the first ${firstSeconds} s | ${RATES.map((r) => `searched to 10 s at ${r} fps`).join(' | ')} |`,
);
console.log(`| --- | --- | --- | ${RATES.map(() => '---').join(' | ')} |`);
for (const [species, c] of counts)
  console.log(`| ${species} | ${c.n} | ${c.first} | ${c.searched.join(' | ')} |`);
