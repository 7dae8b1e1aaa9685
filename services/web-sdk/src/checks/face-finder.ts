/**
 * The browser's own face detector (the Shape Detection API's FaceDetector), where there
 * is one: Chrome on Android and macOS. Elsewhere there is none and the skin heuristic of
 * judge-frame.ts decides; no model is downloaded for a hint.
 */
import type { FaceBox } from './judge-frame.js';

/** The part of the Shape Detection API used here (not in TypeScript's DOM library). */
interface ShapeFaceDetector {
  detect(image: ImageBitmapSource): Promise<{ boundingBox: DOMRectReadOnly }[]>;
}
type FaceDetectorConstructor = new (options?: {
  maxDetectedFaces?: number;
  fastMode?: boolean;
}) => ShapeFaceDetector;

/** Finds faces in a canvas; resolves undefined when this browser has no detector. */
export type FaceFinder = (image: HTMLCanvasElement) => Promise<readonly FaceBox[] | undefined>;

export function browserFaceFinder(): FaceFinder {
  const Detector = (globalThis as { FaceDetector?: FaceDetectorConstructor }).FaceDetector;
  if (Detector === undefined) return () => Promise.resolve(undefined);
  let detector: ShapeFaceDetector | undefined;
  try {
    detector = new Detector({ maxDetectedFaces: 2, fastMode: true });
  } catch {
    return () => Promise.resolve(undefined);
  }
  return async (image) => {
    try {
      const found = await detector.detect(image);
      return found.map(({ boundingBox: b }) => ({
        x: b.x,
        y: b.y,
        width: b.width,
        height: b.height,
      }));
    } catch {
      // Declared but not implemented (Chrome on Linux and Windows): use the heuristic.
      return undefined;
    }
  };
}
