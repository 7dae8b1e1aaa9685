/**
 * What a frame's guide oval holds, from its pixels alone: brightness, contrast and the
 * share of skin-coloured pixels. Pure, so it is tested with known pixels; the browser
 * feeds it a small canvas copy of the camera frame.
 */

/** RGBA pixels, as a canvas's ImageData holds them. */
export interface Pixels {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * The oval the page draws over the camera view, in fractions: its centre of the frame's
 * width and height, its radii of the frame's shorter side (so it stays an upright
 * ellipse on a landscape webcam and on a portrait phone alike).
 */
export interface Oval {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
}

/** Where a face at a comfortable selfie distance sits. */
export const GUIDE_OVAL: Oval = { cx: 0.5, cy: 0.5, rx: 0.3, ry: 0.4 };

export interface FrameStats {
  /** Mean luma (BT.601, 0–255) inside the oval. */
  readonly meanLuma: number;
  /** Standard deviation of that luma: near 0 on a blank wall or a covered lens. */
  readonly lumaSpread: number;
  /** Share (0–1) of the oval's pixels whose colour is in the skin range. */
  readonly skinFraction: number;
}

/** The oval in pixels of a frame of this size. */
export function ovalInPixels(oval: Oval, width: number, height: number): Oval {
  const short = Math.min(width, height);
  return { cx: oval.cx * width, cy: oval.cy * height, rx: oval.rx * short, ry: oval.ry * short };
}

/**
 * Skin in YCbCr (Chai and Ngan, 1999: Cb 77–127, Cr 133–173), which holds across skin
 * tones because it ignores luma; very dark pixels are left out (their chroma is noise).
 */
export function isSkin(r: number, g: number, b: number): boolean {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  if (y < 40) return false;
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  return cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173;
}

export function measureOval(pixels: Pixels, oval: Oval = GUIDE_OVAL): FrameStats {
  const { data, width, height } = pixels;
  const o = ovalInPixels(oval, width, height);
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let skin = 0;
  const y0 = Math.max(0, Math.floor(o.cy - o.ry));
  const y1 = Math.min(height - 1, Math.ceil(o.cy + o.ry));
  const x0 = Math.max(0, Math.floor(o.cx - o.rx));
  const x1 = Math.min(width - 1, Math.ceil(o.cx + o.rx));
  for (let y = y0; y <= y1; y++) {
    const dy = (y + 0.5 - o.cy) / o.ry;
    for (let x = x0; x <= x1; x++) {
      const dx = (x + 0.5 - o.cx) / o.rx;
      if (dx * dx + dy * dy > 1) continue;
      const i = (y * width + x) * 4;
      const r = data[i]!;
      const g = data[i + 1]!;
      const b = data[i + 2]!;
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      n++;
      sum += luma;
      sumSq += luma * luma;
      if (isSkin(r, g, b)) skin++;
    }
  }
  if (n === 0) return { meanLuma: 0, lumaSpread: 0, skinFraction: 0 };
  const mean = sum / n;
  return {
    meanLuma: mean,
    lumaSpread: Math.sqrt(Math.max(0, sumSq / n - mean * mean)),
    skinFraction: skin / n,
  };
}
