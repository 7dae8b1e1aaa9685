/** Draws the guide oval over the preview in the video's own pixels, darkening what is outside. */
import { GUIDE_OVAL, ovalInPixels } from '../checks/frame-stats.js';

export function drawGuide(svg: SVGSVGElement, width: number, height: number): void {
  const o = ovalInPixels(GUIDE_OVAL, width, height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const oval = svg.querySelector('ellipse');
  oval?.setAttribute('cx', String(o.cx));
  oval?.setAttribute('cy', String(o.cy));
  oval?.setAttribute('rx', String(o.rx));
  oval?.setAttribute('ry', String(o.ry));
  // The frame, minus the oval (even-odd fill): a dim surround that frames the face.
  const mask =
    `M0 0H${width}V${height}H0Z ` +
    `M${o.cx - o.rx} ${o.cy}a${o.rx} ${o.ry} 0 1 0 ${2 * o.rx} 0a${o.rx} ${o.ry} 0 1 0 ${-2 * o.rx} 0Z`;
  svg.querySelector('path')?.setAttribute('d', mask);
}
