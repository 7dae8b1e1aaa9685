import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitHomography, project } from './homography.js';
import type { Point } from './types.js';

/** RMS distance between dst and src mapped by their best homography. */
function homographyResidual(src: readonly Point[], dst: readonly Point[]): number {
  const h = fitHomography(src, dst);
  return Math.sqrt(
    src.reduce(
      (s, p, i) => s + (project(h, p).x - dst[i]!.x) ** 2 + (project(h, p).y - dst[i]!.y) ** 2,
      0,
    ) / src.length,
  );
}

const grid = Array.from({ length: 25 }, (_, i) => ({
  x: 100 + (i % 5) * 20,
  y: 80 + Math.floor(i / 5) * 25,
}));
const H = [1.1, 0.05, 12, -0.03, 0.95, -7, 0.0004, -0.0002, 1];

test('fitHomography recovers a known projective transform', () => {
  const dst = grid.map((p) => project(H, p));
  const h = fitHomography(grid, dst);
  h.forEach((v, i) =>
    assert.ok(Math.abs(v - H[i]!) < 1e-6 * Math.max(1, Math.abs(H[i]!)), `h[${i}] ${v} vs ${H[i]}`),
  );
  assert.ok(homographyResidual(grid, dst) < 1e-6);
});

test('a planar motion leaves no residual; a non-planar one does', () => {
  const planar = grid.map((p) => project(H, p));
  // Moving only the middle row, as a face's inner points move against its outline.
  const bent = planar.map((p, i) => (Math.floor(i / 5) === 2 ? { x: p.x + 3, y: p.y } : p));
  assert.ok(homographyResidual(grid, planar) < 1e-6);
  assert.ok(homographyResidual(grid, bent) > 0.5);
});
