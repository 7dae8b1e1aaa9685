import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, estimateSimilarity, invertAffine } from './similarity-transform.js';
import { cropResize, warpAffine } from './warp.js';
import { rotateQuarter } from './rotate.js';
import { iou, type Box } from './types.js';

import type { RgbImage } from '../../media/types.js';
const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('estimateSimilarity recovers a known rotation, scale and translation', () => {
  const angle = 0.3,
    scale = 1.7,
    tx = 12,
    ty = -5;
  const src = [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
    { x: 3, y: 8 },
    { x: -4, y: 6 },
    { x: 7, y: -2 },
  ];
  const dst = src.map((p) => ({
    x: scale * (Math.cos(angle) * p.x - Math.sin(angle) * p.y) + tx,
    y: scale * (Math.sin(angle) * p.x + Math.cos(angle) * p.y) + ty,
  }));
  const m = estimateSimilarity(src, dst);
  close(m.a, scale * Math.cos(angle));
  close(m.d, scale * Math.sin(angle));
  close(m.c, tx);
  close(m.f, ty);
  src.forEach((p, i) => {
    const q = applyAffine(m, p);
    close(q.x, dst[i]!.x);
    close(q.y, dst[i]!.y);
  });
  const back = applyAffine(invertAffine(m), dst[2]!);
  close(back.x, src[2]!.x);
  close(back.y, src[2]!.y);
});

test('estimateSimilarity never reflects: a mirrored target gets the best rotation instead', () => {
  const src = [
    { x: 0, y: 0 },
    { x: 1, y: 0 },
    { x: 0, y: 1 },
  ];
  const dst = src.map((p) => ({ x: -p.x, y: p.y }));
  const m = estimateSimilarity(src, dst);
  assert.ok(m.a * m.e - m.b * m.d >= 0);
});

const gradient = (w: number, h: number) => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 7], (y * w + x) * 3);
  return { width: w, height: h, data };
};

test('warpAffine with the identity copies pixels and leaves the outside black', () => {
  const img = gradient(8, 6);
  const same = warpAffine(img, { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 }, 8, 6);
  assert.deepEqual(same.data, img.data);
  const shifted = warpAffine(img, { a: 1, b: 0, c: 2, d: 0, e: 1, f: 0 }, 8, 6);
  assert.deepEqual([...shifted.data.subarray(0, 3)], [0, 0, 0]);
  assert.deepEqual([...shifted.data.subarray(6, 9)], [0, 0, 7]);
});

test('cropResize keeps pixel centres when upscaling and averages when shrinking', () => {
  const img = gradient(100, 100);
  const up = cropResize(img, { x1: 10, y1: 20, x2: 20, y2: 30 }, 10, 10);
  assert.deepEqual([...up.data.subarray(0, 3)], [10, 20, 7]);
  const down = cropResize(img, { x1: 0, y1: 0, x2: 100, y2: 100 }, 25, 25);
  // The first output pixel averages x, y in 0..3: 1.5 → 2 after rounding.
  assert.deepEqual([...down.data.subarray(0, 3)], [2, 2, 7]);
});

test('rotateQuarter turns clockwise and four turns are the identity', () => {
  const img = gradient(3, 2);
  const r1 = rotateQuarter(img, 1);
  assert.equal(r1.width, 2);
  assert.equal(r1.height, 3);
  // The top-left source pixel (0,0) lands top-right after a clockwise turn.
  assert.deepEqual([...r1.data.subarray(3, 6)], [0, 0, 7]);
  let back: RgbImage = img;
  for (let i = 0; i < 4; i++) back = rotateQuarter(back, 1);
  assert.deepEqual(back.data, img.data);
  assert.deepEqual(rotateQuarter(rotateQuarter(img, 2), 2).data, img.data);
  assert.deepEqual(rotateQuarter(rotateQuarter(img, 1), 3).data, img.data);
});

test('iou', () => {
  close(iou({ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 1, y1: 1, x2: 3, y2: 3 }), 1 / 7);
  assert.equal(iou({ x1: 0, y1: 0, x2: 1, y2: 1 }, { x1: 5, y1: 5, x2: 6, y2: 6 }), 0);
});

test('the axis-aligned resize matches the general warp pixel for pixel', () => {
  const w = 37,
    h = 29;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 97 + 13) % 256;
  const img = { width: w, height: h, data };
  for (const box of [
    { x1: 0, y1: 0, x2: 37, y2: 29 },
    { x1: -5, y1: 3.5, x2: 30, y2: 40 },
  ]) {
    const [ow, oh] = [32, 24];
    const sx = (box.x2 - box.x1) / ow,
      sy = (box.y2 - box.y1) / oh;
    const general = warpAffine(
      img,
      {
        a: 1 / sx,
        b: 0,
        c: (0.5 - box.x1) / sx - 0.5,
        d: 0,
        e: 1 / sy,
        f: (0.5 - box.y1) / sy - 0.5,
      },
      ow,
      oh,
    );
    const fast = cropResize(img, box, ow, oh);
    let maxDiff = 0;
    for (let i = 0; i < fast.data.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(fast.data[i]! - general.data[i]!));
    assert.ok(maxDiff <= 1, `differs by ${maxDiff}`);
  }
});

test('shrinking averages each footprint exactly, black outside the image', () => {
  // The reference: every output pixel sums its own footprint, pixel by pixel.
  const naive = (img: RgbImage, box: Box, ow: number, oh: number): Uint8Array => {
    const sx = (box.x2 - box.x1) / ow,
      sy = (box.y2 - box.y1) / oh;
    const out = new Uint8Array(ow * oh * 3);
    const span = (o: number, s: number, i: number) => {
      const a = Math.floor(o + i * s);
      return [a, Math.max(a + 1, Math.floor(o + (i + 1) * s))] as const;
    };
    for (let y = 0; y < oh; y++) {
      const [y0, y1] = span(box.y1, sy, y);
      for (let x = 0; x < ow; x++) {
        const [x0, x1] = span(box.x1, sx, x);
        for (let ch = 0; ch < 3; ch++) {
          let sum = 0;
          for (let yy = y0; yy < y1; yy++)
            for (let xx = x0; xx < x1; xx++)
              if (xx >= 0 && yy >= 0 && xx < img.width && yy < img.height)
                sum += img.data[(yy * img.width + xx) * 3 + ch]!;
          out[(y * ow + x) * 3 + ch] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
    return out;
  };
  const w = 203,
    h = 151;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + ((i / 7) | 0) * 17) % 256;
  const img = { width: w, height: h, data };
  for (const [box, ow, oh] of [
    [{ x1: 0, y1: 0, x2: 203, y2: 151 }, 64, 48],
    [{ x1: 0, y1: 0, x2: 203, y2: 151 }, 100, 40],
    [{ x1: -40.5, y1: 12.25, x2: 150, y2: 190 }, 24, 24],
    [{ x1: 180, y1: -30, x2: 260, y2: 20 }, 16, 12],
    [{ x1: -90, y1: -90, x2: -10, y2: -10 }, 8, 8],
  ] as const) {
    assert.deepEqual(cropResize(img, box, ow, oh).data, naive(img, box, ow, oh));
  }
});

test('warpAffine averages before shrinking 2× or more: a fine pattern becomes its mean, not an alias', () => {
  // One-pixel vertical stripes, 0 and 200: any bilinear sampling at a stride of 4 lands on
  // the same phase and returns a flat 0 or 200; the true picture at 1/4 scale is 100.
  const w = 200,
    h = 120;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      data.fill(x % 2 === 0 ? 0 : 200, (y * w + x) * 3, (y * w + x) * 3 + 3);
  // A quarter-size, slightly rotated crop of the middle, as a face alignment would make.
  const angle = 0.05,
    s = 0.25;
  const m = {
    a: s * Math.cos(angle),
    b: -s * Math.sin(angle),
    c: 5,
    d: s * Math.sin(angle),
    e: s * Math.cos(angle),
    f: 2,
  };
  const out = warpAffine({ width: w, height: h, data }, m, 30, 20);
  const inside = [...out.data.subarray((10 * 30 + 10) * 3, (10 * 30 + 20) * 3)];
  for (const v of inside) assert.ok(Math.abs(v - 100) <= 12, `pixel ${v} is not the stripes' mean`);
  // Axis-aligned at exactly 1/4, the taps land on one phase of the stripes: averaging
  // gives their mean, and switched off (for crops that only rank frames) the alias shows.
  const quarter = { a: 0.25, b: 0, c: 0, d: 0, e: 0.25, f: 0 };
  const picture = { width: w, height: h, data };
  const at = (o: RgbImage) => o.data[(10 * 30 + 10) * 3];
  assert.equal(at(warpAffine(picture, quarter, 30, 20)), 100);
  assert.equal(at(warpAffine(picture, quarter, 30, 20, { antialias: false })), 0);
});

test('warpAffine samples where the transform says, whether it shrinks first or not', () => {
  // Linear ramps survive averaging unchanged, so any offset in the shrunk path shows.
  const w = 300,
    h = 200;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) data.set([Math.round(0.8 * x), y, 128], (y * w + x) * 3);
  const img = { width: w, height: h, data };
  // Output (X, Y) shows source (X / s + 10, Y / s + 20).
  const m = (s: number) => ({ a: s, b: 0, c: -10 * s, d: 0, e: s, f: -20 * s });
  for (const s of [1 / 3, 0.51]) {
    const out = warpAffine(img, m(s), 60, 40);
    for (const [x, y] of [
      [5, 5],
      [30, 20],
      [50, 35],
    ] as const) {
      const o = (y * 60 + x) * 3;
      close(out.data[o]!, 0.8 * (x / s + 10), 1.01);
      close(out.data[o + 1]!, y / s + 20, 1.01);
    }
  }
});

test('warpAffine refuses a singular transform as it always has, not with an average over nothing', () => {
  assert.throws(
    () => warpAffine(gradient(8, 6), { a: 0, b: 0, c: 1, d: 0, e: 0, f: 1 }, 4, 4),
    /singular/,
  );
});
