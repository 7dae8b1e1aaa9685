/**
 * The front camera through getUserMedia, with each way it can fail turned into a
 * SilentIdError a page can explain (permission, no camera, busy, plain http).
 */
import { SilentIdError } from '../errors.js';

export interface CameraOptions {
  /** `user` (default) is the selfie camera on a phone. */
  readonly facingMode?: 'user' | 'environment';
  /** Asked for, not required: a camera that cannot is still used. Default 640×480. */
  readonly idealWidth?: number;
  readonly idealHeight?: number;
}

/** Opens the camera (video only). Stop it with `stopCamera` when done. */
export async function openCamera(options: CameraOptions = {}): Promise<MediaStream> {
  const media = globalThis.navigator?.mediaDevices;
  if (media?.getUserMedia === undefined) {
    throw globalThis.isSecureContext === false
      ? new SilentIdError(
          'insecure-context',
          'The camera is only available on https:// pages (or http://localhost).',
        )
      : new SilentIdError('unsupported', 'This browser cannot open a camera (no getUserMedia).');
  }
  try {
    return await media.getUserMedia({
      audio: false,
      video: {
        facingMode: options.facingMode ?? 'user',
        width: { ideal: options.idealWidth ?? 640 },
        height: { ideal: options.idealHeight ?? 480 },
      },
    });
  } catch (err) {
    throw cameraError(err);
  }
}

/** Releases the camera (its light goes off). */
export function stopCamera(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

/** getUserMedia's DOMException names, per the Media Capture spec. */
function cameraError(err: unknown): SilentIdError {
  const name = err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new SilentIdError(
        'camera-denied',
        'Camera access was denied. Allow the camera for this site (the camera icon in the address bar), then try again.',
        { cause: err },
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new SilentIdError('no-camera', 'No camera was found on this device.', { cause: err });
    default:
      return new SilentIdError(
        'camera-unavailable',
        'The camera could not be started: another app may be using it.',
        { cause: err },
      );
  }
}
