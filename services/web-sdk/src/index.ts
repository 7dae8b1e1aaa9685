/**
 * @silentid/web-sdk: capture a selfie clip in the browser, check it on the device, and
 * send it with a photo to silentid.
 *
 * @example
 * const stream = await openCamera();
 * video.srcObject = stream;
 * const watcher = watchFrames(video, { onVerdict: (v) => (hint.textContent = v.hint) });
 * watcher.resetTally();
 * const clip = await startRecording(stream, { seconds: 8 }).clip; // a still user may blink late
 * gateClip({ seconds: clip.seconds, tally: watcher.tally() }, { minSeconds: 2, maxSeconds: 60 });
 * const answer = await submitVerification(
 *   { photo, video: clip.blob },
 *   { transport: { kind: 'plain', url: '/api/verify' }, flags: { returnStatus: true } },
 * );
 */
export { SilentIdError, type SilentIdReason, type SilentIdErrorDetails } from './errors.js';
export {
  sealToBase64,
  openFromBase64,
  type WireKey,
  type Plaintext,
} from './crypto/wire-cipher.js';
export { openCamera, stopCamera, type CameraOptions } from './capture/open-camera.js';
export {
  pickRecordingFormat,
  RECORDING_FORMATS,
  type RecordingFormat,
} from './capture/recording-format.js';
export {
  startRecording,
  type RecordOptions,
  type Recording,
  type RecordedClip,
} from './capture/record-clip.js';
export {
  GUIDE_OVAL,
  measureOval,
  ovalInPixels,
  isSkin,
  type FrameStats,
  type Oval,
  type Pixels,
} from './checks/frame-stats.js';
export {
  judgeFrame,
  FRAME_LIMITS,
  type FrameHint,
  type FaceBox,
  type FrameEvidence,
} from './checks/judge-frame.js';
export { browserFaceFinder, type FaceFinder } from './checks/face-finder.js';
export {
  watchFrames,
  type FrameWatcher,
  type FrameVerdict,
  type WatchOptions,
} from './checks/frame-watcher.js';
export { gateClip, emptyTally, type ClipLimits, type FrameTally } from './checks/clip-gate.js';
export {
  submitVerification,
  VERIFY_PATH,
  type Transport,
  type KeySource,
  type VerificationFlags,
  type VerificationMedia,
  type SubmitOptions,
} from './upload/submit-verification.js';
export {
  falseMatchRate,
  describeRate,
  DEFAULT_MATCH_THRESHOLD,
  type VerificationAnswer,
  type LivenessDetails,
  type LivenessCue,
} from './upload/verification-answer.js';
