/**
 * Image-injection attack clips, made at evaluation time: a still picture turned into a
 * short video that moves the way an attacker (or a phone held in front of a camera)
 * would move it. Every motion is a planar transform of the picture, so none adds the
 * non-rigid facial motion that a live head shows — that is what the liveness must see.
 */
import path from 'node:path';
import sharp from 'sharp';
import { ffmpegRun, H264 } from '../support/media-tools.js';

/** Rigid motions: what a photo held, moved or injected as it is can do. */
export const MOTIONS = ['static', 'zoom', 'pan', 'rotate', 'perspective', 'shake'] as const;
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
    case 'ripple':
      // Two travelling waves, 1.5% and 1% of the width high.
      return warp(
        `X+${(0.015 * w).toFixed(1)}*sin(2*PI*Y/${Math.round(0.25 * w)}+6*T)`,
        `Y+${(0.01 * w).toFixed(1)}*sin(2*PI*X/${Math.round(0.3 * w)}+5*T)`,
      );
    case 'bulge': {
      // A lens that breathes: radial distortion of ±6% at the picture's edge, 0.6 swings a second.
      const f = '(1+0.06*sin(4*T)*(pow(X-W/2,2)+pow(Y-H/2,2))/pow(W/2,2))';
      return warp(`W/2+(X-W/2)*${f}`, `H/2+(Y-H/2)*${f}`);
    }
  }
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

/** Each output pixel (X, Y) at time T taken from the picture at (x, y). */
const warp = (x: string, y: string): string =>
  `geq=r='r(${x},${y})':g='g(${x},${y})':b='b(${x},${y})'`;
