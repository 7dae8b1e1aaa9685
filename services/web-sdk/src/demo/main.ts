/**
 * The demo page served by the verifier at /demo: camera, live hints in a guide oval,
 * a recording with the checks before upload, the upload, and the result. It uses only
 * the SDK's public functions, as an integrator's page would.
 *
 * `main[data-state]` says where the page is (loading, ready, camera, recording,
 * uploading, result, error): what assistive technology announces is in the role=status
 * and role=alert elements; the attribute is for styling and for the browser tests.
 */
import { openCamera, stopCamera } from '../capture/open-camera.js';
import { startRecording, type RecordedClip } from '../capture/record-clip.js';
import { gateClip } from '../checks/clip-gate.js';
import { watchFrames, type FrameWatcher } from '../checks/frame-watcher.js';
import type { WireKey } from '../crypto/wire-cipher.js';
import { SilentIdError } from '../errors.js';
import { submitVerification, VERIFY_PATH } from '../upload/submit-verification.js';
import { loadDemoConfig, type DemoConfig } from './demo-config.js';
import { drawGuide } from './guide-overlay.js';
import { HINT_TEXT, serviceErrorText } from './messages.js';
import { renderResult } from './render-result.js';

type State = 'loading' | 'ready' | 'camera' | 'recording' | 'uploading' | 'result' | 'error';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
};

const ui = {
  main: $<HTMLElement>('demo'),
  mode: $<HTMLElement>('mode'),
  keySection: $<HTMLElement>('key-section'),
  keyInput: $<HTMLInputElement>('key-input'),
  nonceInput: $<HTMLInputElement>('nonce-input'),
  photoInput: $<HTMLInputElement>('photo-input'),
  photoNote: $<HTMLElement>('photo-note'),
  photoPreview: $<HTMLImageElement>('photo-preview'),
  stage: $<HTMLElement>('stage'),
  video: $<HTMLVideoElement>('preview'),
  guide: document.getElementById('guide') as unknown as SVGSVGElement,
  recording: $<HTMLElement>('recording'),
  recordingText: $<HTMLElement>('recording-text'),
  hint: $<HTMLElement>('hint'),
  startCamera: $<HTMLButtonElement>('start-camera'),
  record: $<HTMLButtonElement>('record'),
  stop: $<HTMLButtonElement>('stop'),
  snapshot: $<HTMLButtonElement>('snapshot'),
  retry: $<HTMLButtonElement>('retry'),
  clipInfo: $<HTMLElement>('clip-info'),
  error: $<HTMLElement>('error'),
  result: $<HTMLElement>('result'),
};

let config: DemoConfig;
let stream: MediaStream | undefined;
let watcher: FrameWatcher | undefined;
let photo: Blob | undefined;
let stopRecording: (() => void) | undefined;

function setState(state: State): void {
  ui.main.dataset.state = state;
  const cameraOn = stream !== undefined;
  ui.startCamera.hidden = cameraOn;
  ui.record.disabled = !cameraOn || state !== 'camera';
  ui.snapshot.disabled = !cameraOn || state !== 'camera';
  ui.stop.hidden = state !== 'recording';
  ui.recording.hidden = state !== 'recording';
  ui.stage.dataset.recording = String(state === 'recording');
  ui.retry.hidden = state !== 'result' && state !== 'error';
}

function showError(err: unknown): void {
  const text =
    err instanceof SilentIdError
      ? err.reason === 'service'
        ? serviceErrorText(err.code, err.message)
        : err.message
      : `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
  ui.error.textContent = text;
  ui.error.dataset.reason = err instanceof SilentIdError ? err.reason : 'internal';
  ui.error.hidden = false;
  setState('error');
  ui.retry.focus();
}

function clearOutcome(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
  delete ui.error.dataset.reason;
  ui.result.hidden = true;
}

async function startCamera(): Promise<void> {
  clearOutcome();
  try {
    stream = await openCamera();
  } catch (err) {
    showError(err);
    return;
  }
  ui.video.srcObject = stream;
  await ui.video.play().catch(() => undefined); // muted: autoplay is allowed
  const track = stream.getVideoTracks()[0];
  const { width = 640, height = 480 } = track?.getSettings() ?? {};
  drawGuide(ui.guide, width, height);
  ui.stage.style.aspectRatio = `${width} / ${height}`;
  watcher = watchFrames(ui.video, {
    onVerdict: ({ hint }) => {
      ui.stage.dataset.hint = hint;
      if (ui.main.dataset.state === 'camera' || ui.main.dataset.state === 'recording') {
        ui.hint.textContent = HINT_TEXT[hint];
      }
    },
  });
  setState('camera');
  ui.record.focus();
}

/** The current preview frame as a JPEG, unmirrored (what the camera sees). */
async function snapshot(): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = ui.video.videoWidth;
  canvas.height = ui.video.videoHeight;
  canvas.getContext('2d')?.drawImage(ui.video, 0, 0);
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, 'image/jpeg', 0.92),
  );
  if (blob === null) throw new Error('the snapshot could not be encoded');
  return blob;
}

function usePhoto(blob: Blob, note: string): void {
  photo = blob;
  ui.photoPreview.src = URL.createObjectURL(blob);
  ui.photoPreview.hidden = false;
  ui.photoNote.textContent = note;
}

function currentKey(): WireKey {
  if (config.mode === 'dev') return config.devKey;
  return { key: ui.keyInput.value, nonce: ui.nonceInput.value };
}

async function record(): Promise<void> {
  if (stream === undefined || watcher === undefined) return;
  clearOutcome();
  if (photo === undefined)
    usePhoto(await snapshot(), 'Photo: a snapshot taken when recording started.');
  const total = config.recordSeconds;
  const recording = startRecording(stream, {
    seconds: total,
    onProgress: (s) => {
      ui.recordingText.textContent = `Recording ${s.toFixed(1)} s of ${total} s`;
    },
  });
  stopRecording = recording.stop;
  watcher.resetTally();
  ui.recordingText.textContent = `Recording 0.0 s of ${total} s`;
  setState('recording');
  ui.stop.focus();
  let clip: RecordedClip;
  try {
    clip = await recording.clip;
    describeClip(clip);
    // The checks before upload: too short, too long, no face, bad light.
    gateClip({ seconds: clip.seconds, tally: watcher.tally() }, config);
  } catch (err) {
    showError(err);
    return;
  } finally {
    stopRecording = undefined;
  }
  await upload(clip);
}

function describeClip(clip: RecordedClip): void {
  ui.clipInfo.textContent = `Recorded ${clip.seconds.toFixed(1)} s as ${clip.mimeType}, ${Math.round(clip.blob.size / 1024)} KiB.`;
  ui.clipInfo.dataset.mimeType = clip.mimeType;
  ui.clipInfo.dataset.bytes = String(clip.blob.size);
  ui.clipInfo.dataset.seconds = clip.seconds.toFixed(2);
  ui.clipInfo.hidden = false;
}

async function upload(clip: RecordedClip): Promise<void> {
  if (photo === undefined) return;
  setState('uploading');
  ui.hint.textContent = 'Checking…';
  try {
    const answer = await submitVerification(
      { photo, video: clip.blob },
      {
        transport: { kind: 'sealed', url: VERIFY_PATH, key: currentKey() },
        flags: {
          returnStatus: true,
          returnImage: true,
          returnFaceImage: true,
          // Per-cue figures are only asked for where the page may show them.
          returnDetails: config.mode === 'dev',
        },
      },
    );
    renderResult(answer, config.mode);
    ui.hint.textContent = '';
    setState('result');
    ui.result.focus();
  } catch (err) {
    showError(err);
  }
}

function retry(): void {
  clearOutcome();
  if (stream === undefined) {
    setState('ready');
    void startCamera();
    return;
  }
  ui.hint.textContent = 'Fit your face in the oval, then record.';
  setState('camera');
  ui.record.focus();
}

function describeMode(): void {
  if (config.mode === 'dev') {
    ui.mode.textContent =
      'Development mode: this service runs with the built-in dev key, so this page encrypts with it and shows the raw liveness figures. A production deployment sets its own key, and this page then shows only the decision and a hint.';
  } else {
    ui.mode.textContent =
      'Production mode: the page shows the decision and a hint, not the raw liveness figures.';
    ui.mode.classList.add('production');
    ui.keySection.hidden = false;
  }
  ui.record.textContent = `Record ${config.recordSeconds} s`;
}

async function init(): Promise<void> {
  ui.startCamera.addEventListener('click', () => void startCamera());
  ui.record.addEventListener('click', () => void record());
  ui.stop.addEventListener('click', () => stopRecording?.());
  ui.retry.addEventListener('click', retry);
  ui.snapshot.addEventListener('click', () => {
    void snapshot().then((blob) => usePhoto(blob, 'Photo: a snapshot from the camera.'));
  });
  ui.photoInput.addEventListener('change', () => {
    const file = ui.photoInput.files?.[0];
    if (file !== undefined) usePhoto(file, `Photo: ${file.name}`);
  });
  window.addEventListener('pagehide', () => {
    watcher?.stop();
    if (stream !== undefined) stopCamera(stream);
  });
  try {
    config = await loadDemoConfig();
  } catch (err) {
    showError(err);
    return;
  }
  describeMode();
  setState('ready');
}

void init();
