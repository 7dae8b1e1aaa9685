/** A point in image pixels (x right, y down). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** An axis-aligned box in image pixels. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * A 2×3 affine matrix mapping source to destination pixels:
 * x' = a·x + b·y + c, y' = d·x + e·y + f.
 */
export interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
}

export const boxWidth = (b: Box): number => b.x2 - b.x1;
export const boxHeight = (b: Box): number => b.y2 - b.y1;
export const boxArea = (b: Box): number => Math.max(0, boxWidth(b)) * Math.max(0, boxHeight(b));
export const boxCenter = (b: Box): Point => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });

/** Intersection over union of two boxes, 0 when disjoint. */
export function iou(a: Box, b: Box): number {
  const inter = boxArea({
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
    x2: Math.min(a.x2, b.x2),
    y2: Math.min(a.y2, b.y2),
  });
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

export const distance = (p: Point, q: Point): number => Math.hypot(p.x - q.x, p.y - q.y);

export function mean(points: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  return { x: x / points.length, y: y / points.length };
}
