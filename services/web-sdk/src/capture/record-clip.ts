/**
 * Records a camera stream with MediaRecorder for a fixed time, or until stopped. The
 * clip's length is measured here, from the recorder's start to its stop: a MediaRecorder
 * WebM carries no duration in its header, so the browser cannot read it back.
 */
import { SilentIdError } from '../errors.js';
import { pickRecordingFormat, type RecordingFormat } from './recording-format.js';

export interface RecordedClip {
  readonly blob: Blob;
  /** What the recorder actually wrote (may add codecs to the requested type). */
  readonly mimeType: string;
  readonly extension: RecordingFormat['extension'];
  /** From the recorder's start event to its stop event. */
  readonly seconds: number;
}

export interface RecordOptions {
  /** Stops by itself after this long. */
  readonly seconds: number;
  /** Default: the first of RECORDING_FORMATS the browser supports. */
  readonly format?: RecordingFormat;
  /** Default 2.5 Mbit/s: enough for a face at 640×480, small enough for a phone upload. */
  readonly videoBitsPerSecond?: number;
  /** Called about ten times a second with the seconds recorded so far. */
  readonly onProgress?: (seconds: number) => void;
  readonly signal?: AbortSignal;
}

/** A recording under way: `stop()` ends it early; `clip` resolves once it has stopped. */
export interface Recording {
  readonly format: RecordingFormat;
  stop(): void;
  readonly clip: Promise<RecordedClip>;
}

export function startRecording(stream: MediaStream, options: RecordOptions): Recording {
  const format = options.format ?? pickRecordingFormat();
  if (format === undefined) {
    throw new SilentIdError('unsupported', 'This browser cannot record video (no MediaRecorder).');
  }
  const recorder = new MediaRecorder(stream, {
    mimeType: format.mimeType,
    videoBitsPerSecond: options.videoBitsPerSecond ?? 2_500_000,
  });
  const chunks: Blob[] = [];
  let startedAt: number | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let limit: ReturnType<typeof setTimeout> | undefined;
  const stop = (): void => {
    if (recorder.state !== 'inactive') recorder.stop();
  };
  const clip = new Promise<RecordedClip>((resolve, reject) => {
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    recorder.onstart = () => {
      startedAt = performance.now();
      ticker = setInterval(() => options.onProgress?.(elapsed()), 100);
      limit = setTimeout(stop, options.seconds * 1000);
    };
    recorder.onerror = (e) => {
      cleanUp();
      reject(new SilentIdError('camera-unavailable', 'The recording failed.', { cause: e }));
    };
    recorder.onstop = () => {
      const seconds = elapsed();
      cleanUp();
      if (options.signal?.aborted) {
        reject(new SilentIdError('aborted', 'The recording was cancelled.'));
        return;
      }
      const mimeType = recorder.mimeType || format.mimeType;
      resolve({
        blob: new Blob(chunks, { type: mimeType }),
        mimeType,
        extension: format.extension,
        seconds,
      });
    };
  });
  const elapsed = (): number =>
    startedAt === undefined ? 0 : (performance.now() - startedAt) / 1000;
  const cleanUp = (): void => {
    clearInterval(ticker);
    clearTimeout(limit);
    options.signal?.removeEventListener('abort', stop);
  };
  options.signal?.addEventListener('abort', stop);
  recorder.start();
  return { format, stop, clip };
}
