/**
 * Which container and codec MediaRecorder should write. Every one listed is one the
 * service decodes (WebM/Matroska and MP4 are on its container allowlist).
 */

/** The MIME type given to MediaRecorder, and the file extension that goes with it. */
export interface RecordingFormat {
  readonly mimeType: string;
  readonly extension: 'webm' | 'mp4';
}

/**
 * In order of preference. VP8 first: the cheapest to encode in real time on a low-end
 * phone, and what Chromium and Firefox record by default. VP9 next (smaller, heavier).
 * H.264 in MP4 is what Safari records; plain `video/mp4` for Safari versions that take
 * no codecs parameter.
 */
export const RECORDING_FORMATS: readonly RecordingFormat[] = [
  { mimeType: 'video/webm;codecs=vp8', extension: 'webm' },
  { mimeType: 'video/webm;codecs=vp9', extension: 'webm' },
  { mimeType: 'video/webm', extension: 'webm' },
  { mimeType: 'video/mp4;codecs=avc1.42E01E', extension: 'mp4' },
  { mimeType: 'video/mp4', extension: 'mp4' },
];

/**
 * The first format the browser can record, or undefined (no MediaRecorder, or none of
 * these). `isTypeSupported` defaults to MediaRecorder's own; tests pass their own.
 */
export function pickRecordingFormat(
  isTypeSupported: ((mimeType: string) => boolean) | undefined = globalThis.MediaRecorder
    ?.isTypeSupported,
): RecordingFormat | undefined {
  if (isTypeSupported === undefined) return undefined;
  return RECORDING_FORMATS.find((f) => isTypeSupported.call(globalThis.MediaRecorder, f.mimeType));
}
