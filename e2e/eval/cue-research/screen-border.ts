/**
 * Recapture cue "frame borders": is the face bracketed by the straight edges of a
 * screen, tablet or sheet of paper? A replayed or printed face sits inside its medium,
 * whose two opposite edges run straight past the face on both sides.
 *
 * Measured in the evaluation only (docs/liveness.md explains why the service does not
 * use it): the region around the face is resampled to a fixed face height, edge pixels
 * vote in a Hough accumulator for near-vertical and near-horizontal lines, and each side
 * of the face reports the share of its span that its best line covers.
 */
import type { RgbImage } from '../../../services/verifier/src/media/types.js';
import type { Box } from '../../../services/verifier/src/vision/geometry/types.js';
import { luma } from '../../../services/verifier/src/vision/luma.js';

export interface BorderSides {
  /** Share (0–1) of the face's span covered by the best straight edge on each side. */
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  /** The stronger of the two opposite pairs, each pair as strong as its weaker side. */
  readonly bracket: number;
}

/** The face box is resampled to this height: the cue is then the same at any resolution. */
const FACE_HEIGHT = 64;
/** How far around the face to look, in face sizes from its centre. */
const REACH = 2.5;
/** A line's span: this many face sizes either side of the face's centre. */
const SPAN = 1.5;
/**
 * Lines closer to the face than this (in face widths) are not borders: hair, ears and
 * shoulders draw long near-vertical edges just outside the detector's box (a first try
 * at 0.15 counted them on most portraits).
 */
const MARGIN = 0.5;
/** A Sobel magnitude of 80 is a step of 20 grey levels: a bezel or a paper edge, not texture. */
const EDGE = 80;
/**
 * A medium held in the hand tilts; beyond ±20° a line is no border of the face's frame.
 * Steps of 1°: half a step of error moves a line's end by under a pixel.
 */
const TILTS_DEG = Array.from({ length: 41 }, (_, k) => k - 20);
/** An edge pixel votes for a line only if its gradient is this close to the line's normal. */
const ORIENTATION_TOLERANCE = Math.cos((10 * Math.PI) / 180);

interface GreyRegion {
  readonly grey: Float32Array;
  readonly width: number;
  readonly height: number;
  /** The face box in the region's coordinates. */
  readonly face: Box;
}

/** Grey levels around the face, bilinearly resampled so that the face is FACE_HEIGHT tall. */
function greyRegion(image: RgbImage, box: Box): GreyRegion {
  const bw = box.x2 - box.x1,
    bh = box.y2 - box.y1;
  const cx = (box.x1 + box.x2) / 2,
    cy = (box.y1 + box.y2) / 2;
  const scale = FACE_HEIGHT / bh;
  const x0 = Math.max(0, cx - REACH * bw),
    x1 = Math.min(image.width - 1, cx + REACH * bw);
  const y0 = Math.max(0, cy - REACH * bh),
    y1 = Math.min(image.height - 1, cy + REACH * bh);
  const width = Math.max(3, Math.floor((x1 - x0) * scale));
  const height = Math.max(3, Math.floor((y1 - y0) * scale));
  const { data, width: iw } = image;
  const lum = (x: number, y: number) => luma(data, (y * iw + x) * 3);
  const grey = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1.001, y0 + y / scale);
    const ty = Math.floor(sy),
      fy = sy - ty;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(iw - 1.001, x0 + x / scale);
      const tx = Math.floor(sx),
        fx = sx - tx;
      const top = (1 - fx) * lum(tx, ty) + fx * lum(tx + 1, ty);
      const bottom = (1 - fx) * lum(tx, ty + 1) + fx * lum(tx + 1, ty + 1);
      grey[y * width + x] = (1 - fy) * top + fy * bottom;
    }
  }
  const face = {
    x1: (box.x1 - x0) * scale,
    x2: (box.x2 - x0) * scale,
    y1: (box.y1 - y0) * scale,
    y2: (box.y2 - y0) * scale,
  };
  return { grey, width, height, face };
}

/** How well straight edges bracket the face in one frame. */
export function borderSides(image: RgbImage, box: Box): BorderSides {
  const region = greyRegion(image, box);
  const { left, right } = sideLines(region);
  const { left: top, right: bottom } = sideLines(transposed(region));
  return {
    left,
    right,
    top,
    bottom,
    bracket: Math.max(Math.min(left, right), Math.min(top, bottom)),
  };
}

/** The region mirrored about its diagonal: horizontal lines become vertical ones. */
function transposed(r: GreyRegion): GreyRegion {
  const grey = new Float32Array(r.grey.length);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) grey[x * r.height + y] = r.grey[y * r.width + x]!;
  const f = r.face;
  return {
    grey,
    width: r.height,
    height: r.width,
    face: { x1: f.y1, x2: f.y2, y1: f.x1, y2: f.x2 },
  };
}

/**
 * The best near-vertical line left and right of the face: lines x = x0 + tan(a)·(y − cy)
 * through the rows within SPAN face heights of the centre, scored by the share of those
 * rows where the line meets an edge pixel of the matching orientation.
 */
function sideLines(r: GreyRegion): { left: number; right: number } {
  const { grey: g, width: w, height: h, face } = r;
  const fw = face.x2 - face.x1,
    fh = face.y2 - face.y1;
  const cy = (face.y1 + face.y2) / 2;
  const first = Math.max(1, Math.round(cy - SPAN * fh));
  const last = Math.min(h - 2, Math.round(cy + SPAN * fh));
  const span = last - first + 1;
  // Less than a face's height of rows in view: too little of any border to judge.
  if (span < fh) return { left: 0, right: 0 };
  const tilts = TILTS_DEG.map((d) => (d * Math.PI) / 180);
  const votes = tilts.map(() => new Float32Array(w));
  for (let y = first; y <= last; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx =
        g[i - w + 1]! +
        2 * g[i + 1]! +
        g[i + w + 1]! -
        g[i - w - 1]! -
        2 * g[i - 1]! -
        g[i + w - 1]!;
      const gy =
        g[i + w - 1]! +
        2 * g[i + w]! +
        g[i + w + 1]! -
        g[i - w - 1]! -
        2 * g[i - w]! -
        g[i - w + 1]!;
      const magnitude = Math.hypot(gx, gy);
      if (magnitude < EDGE) continue;
      tilts.forEach((a, k) => {
        // The normal of a line tilted by a from the vertical is (cos a, −sin a).
        if (Math.abs(gx * Math.cos(a) - gy * Math.sin(a)) / magnitude < ORIENTATION_TOLERANCE)
          return;
        const x0 = Math.round(x - Math.tan(a) * (y - cy));
        const column = votes[k]!;
        if (x0 >= 0 && x0 < w) column[x0] = column[x0]! + 1;
      });
    }
  }
  let left = 0,
    right = 0;
  for (const row of votes) {
    for (let x0 = 1; x0 < w - 1; x0++) {
      // A line drawn by antialiasing or a slight curve spreads over two columns.
      const cover = (row[x0]! + Math.max(row[x0 - 1]!, row[x0 + 1]!)) / span;
      if (x0 < face.x1 - MARGIN * fw) left = Math.max(left, cover);
      if (x0 > face.x2 + MARGIN * fw) right = Math.max(right, cover);
    }
  }
  return { left: Math.min(1, left), right: Math.min(1, right) };
}
