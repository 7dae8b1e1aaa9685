/**
 * Recapture cue "moiré": a screen's pixel grid or a print's halftone, filmed by a camera,
 * aliases into a periodic pattern over the face (Garcia & de Queiroz 2015 look for it as
 * isolated peaks in the face's spectrum). Skin has a smooth, falling spectrum with no
 * such peaks.
 *
 * Measured in the evaluation only (docs/liveness.md says why the service does not use
 * it): the centre of the face, at the frame's own resolution (any resampling would blur
 * or alias the very pattern looked for), Hann-windowed, and the strongest frequency
 * against the median power of its ring.
 */
import FFT from 'fft.js';
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import type { Box } from '../../../services/verifier/src/vision/geometry/types.js';
import { luma } from '../../../services/verifier/src/vision/luma.js';

/** The window's side: the largest power of two within this share of the face box. */
const FACE_SHARE = 0.6;
const MIN_SIDE = 32;
const MAX_SIDE = 128;

const transforms = new Map<number, FFT>();
const fftOf = (n: number): FFT => {
  let f = transforms.get(n);
  if (f === undefined) transforms.set(n, (f = new FFT(n)));
  return f;
};

/**
 * log10 of the strongest isolated peak over its ring's median power (0 = no peak), or
 * undefined when the face is too small to hold a MIN_SIDE window.
 */
export function moirePeak(image: RgbImage, box: Box): number | undefined {
  const within = Math.min(box.x2 - box.x1, box.y2 - box.y1) * FACE_SHARE;
  let n = MIN_SIDE;
  if (within < n) return undefined;
  while (n * 2 <= within && n < MAX_SIDE) n *= 2;
  const power = spectrum(image, box, n);
  // Below an eighth of the band lies the face's own shape; the grid points of 8×8 blocks
  // are the codec's (JPEG, H.264), in live and recaptured pictures alike.
  const low = n / 8,
    block = n / 8;
  const rings = new Map<number, number[]>();
  const eachFrequency = (visit: (p: number, ring: number) => void) => {
    for (let v = -n / 2 + 1; v < n / 2; v++) {
      for (let u = 0; u < n / 2; u++) {
        const ring = Math.round(Math.hypot(u, v));
        if (ring < low || ring >= n / 2) continue;
        if (u % block === 0 && v % block === 0) continue;
        visit(power[((v + n) % n) * n + u]!, ring);
      }
    }
  };
  eachFrequency((p, ring) => {
    const r = rings.get(ring);
    if (r === undefined) rings.set(ring, [p]);
    else r.push(p);
  });
  const medians = new Map(
    [...rings].map(([ring, ps]) => [ring, ps.sort((a, b) => a - b)[ps.length >> 1]!]),
  );
  let peak = 1;
  eachFrequency((p, ring) => {
    const m = medians.get(ring)!;
    if (m > 0) peak = Math.max(peak, p / m);
  });
  return Math.log10(peak);
}

/** Power spectrum (n × n, row-major by vertical frequency) of the face centre's grey levels. */
function spectrum(image: RgbImage, box: Box, n: number): Float64Array {
  const left = Math.round((box.x1 + box.x2) / 2 - n / 2),
    top = Math.round((box.y1 + box.y2) / 2 - n / 2);
  const grey = new Float64Array(n * n);
  let mean = 0;
  for (let y = 0; y < n; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, top + y));
    for (let x = 0; x < n; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, left + x));
      const v = luma(image.data, (sy * image.width + sx) * 3);
      grey[y * n + x] = v;
      mean += v;
    }
  }
  mean /= n * n;
  const hann = Float64Array.from(
    { length: n },
    (_, k) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (n - 1)),
  );
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) grey[y * n + x] = (grey[y * n + x]! - mean) * hann[x]! * hann[y]!;

  // Rows, then columns, as complex arrays (interleaved re, im).
  const f = fftOf(n);
  const rows: number[][] = [];
  const input = new Array<number>(n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) input[x] = grey[y * n + x]!;
    const out = f.createComplexArray() as number[];
    f.realTransform(out, input);
    f.completeSpectrum(out);
    rows.push(out);
  }
  const power = new Float64Array(n * n);
  const column = f.createComplexArray() as number[];
  const out = f.createComplexArray() as number[];
  for (let u = 0; u < n; u++) {
    for (let y = 0; y < n; y++) {
      column[2 * y] = rows[y]![2 * u]!;
      column[2 * y + 1] = rows[y]![2 * u + 1]!;
    }
    f.transform(out, column);
    for (let v = 0; v < n; v++) power[v * n + u] = out[2 * v]! ** 2 + out[2 * v + 1]! ** 2;
  }
  return power;
}
