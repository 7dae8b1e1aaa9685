/**
 * Image-injection attack clips, made at evaluation time: a still picture turned into a
 * short video that moves the way an attacker (or a phone held in front of a camera)
 * would move it. Every motion (MOTIONS) is a planar transform of the picture, so none adds
 * the non-rigid facial motion that a live head shows — that is what the liveness must see.
 * The warps (WARPS) are not planar: they are the attack the motion cue cannot see.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import sharp from 'sharp';
import { ffmpeg, ffmpegRun, H264 } from '../support/media-tools.js';

/**
 * Rigid motions: what a photo held, moved or injected as it is can do. `noisy` is the
 * picture still, as a small, noisy camera would deliver it (decision 0031).
 */
export const MOTIONS = [
  'static',
  'zoom',
  'pan',
  'rotate',
  'perspective',
  'shake',
  'noisy',
] as const;
/**
 * Non-rigid warps of the picture: one ffmpeg filter bends it, so its landmarks move in ways
 * no homography explains, as a live face's do. No camera or paper does this; an injected
 * stream can. The evaluation reports them as their own species (`warped-photo`).
 */
export const WARPS = ['ripple', 'bulge'] as const;
export type Motion = (typeof MOTIONS)[number] | (typeof WARPS)[number];

/** Clip length: inside the 2–5 s of the issue, and enough for the 8 fps × 32-frame sampling. */
export const CLIP_SECONDS = 3;
const FPS = 25;
/** Longest side of the clip: the pipeline's working side (VIDEO_WORKING_SIDE), so no detail is lost to it. */
const MAX_SIDE = 640;

/**
 * ffmpeg filters per motion for a W×H picture. Amplitudes are small (a few percent, a
 * few degrees): large motions are easy to flag and an attacker would not use them.
 */
function filter(motion: Motion, w: number, h: number): string | undefined {
  const frames = CLIP_SECONDS * FPS;
  // Panning and shaking crop a window out of a slightly larger picture, so no black border enters.
  const up = `scale=${even(w * 1.12)}:${even(h * 1.12)}`;
  switch (motion) {
    case 'static':
      return undefined;
    case 'zoom':
      return `zoompan=z='1+0.12*on/${frames}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${w}x${h}:fps=${FPS}`;
    case 'pan':
      return `${up},crop=${w}:${h}:x='(iw-ow)/2*(1+sin(2*PI*t/${CLIP_SECONDS}))':y='(ih-oh)/2*(1+0.5*sin(2*PI*t/${CLIP_SECONDS}+1))'`;
    case 'rotate':
      // ±4.6°, one full swing per clip.
      return `rotate='0.08*sin(2*PI*t/${CLIP_SECONDS})':fillcolor=black`;
    case 'perspective':
      // The picture tilts about its vertical axis: one edge shortens while the other grows.
      return (
        `perspective=x0=0:y0='0.05*H*(1+sin(in/8))':x1=W:y1='0.05*H*(1-sin(in/8))':` +
        `x2=0:y2='H-0.05*H*(1+sin(in/8))':x3=W:y3='H-0.05*H*(1-sin(in/8))':eval=frame`
      );
    case 'shake':
      // Hand tremor: irregular translation and roll plus sensor noise.
      return (
        `${up},crop=${w}:${h}:x='(iw-ow)/2*(1+0.6*sin(t*7.1)+0.4*sin(t*13.3))':` +
        `y='(ih-oh)/2*(1+0.6*sin(t*5.3+1)+0.4*sin(t*11.7))',rotate='0.02*sin(t*6.1)',noise=alls=6:allf=t`
      );
    case 'noisy':
      // 200 px high under temporal sensor noise (σ 20 levels): landmarks and the eye model
      // at their least certain.
      return 'scale=-2:200,noise=alls=20:allf=t';
    default:
      return undefined; // the warps are drawn in warpFrames
  }
}

/** Where a warp takes output pixel (x, y) of a w×h frame from, t seconds into the clip. */
type WarpField = (x: number, y: number, t: number, w: number, h: number) => [number, number];

const WARP_FIELDS: Record<(typeof WARPS)[number], WarpField> = {
  // Two travelling waves, 1.5% and 1% of the width high.
  ripple: (x, y, t, w) => [
    x + round1(0.015 * w) * Math.sin((2 * Math.PI * y) / Math.round(0.25 * w) + 6 * t),
    y + round1(0.01 * w) * Math.sin((2 * Math.PI * x) / Math.round(0.3 * w) + 5 * t),
  ],
  // A lens that breathes: radial distortion of ±6% at the picture's edge, 0.6 swings a second.
  bulge: (x, y, t, w, h) => {
    const f = 1 + (0.06 * Math.sin(4 * t) * ((x - w / 2) ** 2 + (y - h / 2) ** 2)) / (w / 2) ** 2;
    return [w / 2 + (x - w / 2) * f, h / 2 + (y - h / 2) * f];
  },
};
const round1 = (v: number) => Math.round(v * 10) / 10;
const isWarp = (m: Motion): m is (typeof WARPS)[number] => (WARPS as readonly string[]).includes(m);

/**
 * The clip's frames of a warped picture, drawn here rather than by ffmpeg's geq (the same
 * field, bilinear, edges clamped, as geq samples): geq evaluated its expressions per pixel
 * and plane at 4–9 s a clip, which made warped photos a third of the evaluation's time.
 */
function* warpFrames(rgb: Uint8Array, w: number, h: number, field: WarpField) {
  const at = (x: number, y: number, c: number) => rgb[(y * w + x) * 3 + c]!;
  for (let n = 0; n < CLIP_SECONDS * FPS; n++) {
    const t = n / FPS;
    const out = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const [sx, sy] = field(x, y, t, w, h);
        const fx = Math.min(w - 1, Math.max(0, sx));
        const fy = Math.min(h - 1, Math.max(0, sy));
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const x1 = Math.min(w - 1, x0 + 1);
        const y1 = Math.min(h - 1, y0 + 1);
        const ax = fx - x0;
        const ay = fy - y0;
        for (let c = 0; c < 3; c++) {
          const top = at(x0, y0, c) * (1 - ax) + at(x1, y0, c) * ax;
          const bottom = at(x0, y1, c) * (1 - ax) + at(x1, y1, c) * ax;
          out[(y * w + x) * 3 + c] = Math.round(top * (1 - ay) + bottom * ay);
        }
      }
    yield out;
  }
}

/** Encodes raw RGB frames as the other clips are encoded. */
async function encodeFrames(frames: Iterable<Buffer>, w: number, h: number, out: string) {
  const child = spawn(
    ffmpeg(),
    [
      ...['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`],
      ...['-framerate', String(FPS), '-i', 'pipe:0', '-r', String(FPS), ...H264, out],
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  // A child that dies early breaks the pipe: its exit status and stderr say why, below.
  child.stdin.on('error', () => undefined);
  try {
    for (const frame of frames)
      if (!child.stdin.write(frame)) await Promise.race([once(child.stdin, 'drain'), closed]);
  } finally {
    child.stdin.end();
  }
  const code = await closed;
  if (code !== 0) throw new Error(`ffmpeg could not encode ${out}: ${stderr}`);
}

/**
 * Writes `<dir>/<name>-<motion>.mp4` from any picture sharp reads (EXIF orientation
 * applied first, as a person holding the print would see it; transparency on white).
 */
export async function makeStillClip(
  picture: string,
  motion: Motion,
  dir: string,
  name: string,
): Promise<string> {
  const upright = path.join(dir, `${name}.png`);
  const info = await sharp(picture, { pages: 1 })
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: false })
    // An intermediate file read once: compression would only cost time.
    .png({ compressionLevel: 0 })
    .toFile(upright);
  const w = even(info.width);
  const h = even(info.height);
  const out = path.join(dir, `${name}-${motion}.mp4`);
  if (isWarp(motion)) {
    const rgb = await sharp(upright)
      .extract({ left: 0, top: 0, width: w, height: h })
      .raw()
      .toBuffer();
    await encodeFrames(warpFrames(rgb, w, h, WARP_FIELDS[motion]), w, h, out);
    return out;
  }
  const vf = [`crop=${w}:${h}:0:0`, filter(motion, w, h)].filter((f) => f !== undefined).join(',');
  await ffmpegRun([
    '-loop',
    '1',
    '-framerate',
    String(FPS),
    '-i',
    upright,
    '-t',
    String(CLIP_SECONDS),
    '-vf',
    vf,
    '-r',
    String(FPS),
    ...H264,
    out,
  ]);
  return out;
}

const even = (v: number): number => 2 * Math.floor(v / 2);
