import type { RgbImage } from '../media/types.js';
import type { Box } from '../vision/geometry/types.js';
import { cropResize } from '../vision/geometry/warp.js';

/**
 * The face clipping of a frame: a square around the box with a 30% margin on each
 * side (hair and chin included, as ID photos are framed), clipped to the frame.
 */
export function faceClip(frame: RgbImage, box: Box): RgbImage {
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * 1.6;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const x1 = Math.max(0, Math.round(cx - side / 2));
  const y1 = Math.max(0, Math.round(cy - side / 2));
  const x2 = Math.min(frame.width, Math.round(cx + side / 2));
  const y2 = Math.min(frame.height, Math.round(cy + side / 2));
  return cropResize(frame, { x1, y1, x2, y2 }, x2 - x1, y2 - y1);
}
