/** The words the demo page shows for each hint and each outcome. */
import type { FrameHint } from '../checks/judge-frame.js';
import type { LivenessHint, VerificationAnswer } from '../upload/verification-answer.js';

export const HINT_TEXT: Readonly<Record<FrameHint, string>> = {
  ok: 'Good: hold still and look at the camera.',
  'no-face': 'No face in the oval: fit your face inside it.',
  'too-far': 'Come closer: your face should fill the oval.',
  'off-centre': 'Move so that your face is in the middle of the oval.',
  'too-dark': 'Too dark: face a window or a lamp.',
  'too-bright': 'Too bright: move away from direct light.',
};

/** The service's own hints on a failed video (liveness_details.hints), in words. */
export const SERVICE_HINT_TEXT: Readonly<Record<LivenessHint, string>> = {
  low_light: 'Your face was too dark to judge well: face a window or a lamp.',
  too_still: 'No movement or blink was seen: hold the phone naturally and blink once.',
  not_direct: 'It looked like a screen or a print: film your own face directly.',
  face_cut_off: 'Part of your face was out of the picture: hold the phone a little further away.',
};

/** Production mode's advice: the decision and what to do, with no figures. */
export function outcomeHint(answer: VerificationAnswer, matched: boolean | undefined): string {
  if (answer.liveness_status === 'short_time') {
    return 'The video was too short to check. Record again and hold still until it stops.';
  }
  if (!answer.passed) {
    return 'A live person could not be confirmed. Face the camera in even light, keep your whole face in the oval, and record again. Photos, screens and masks are refused.';
  }
  if (matched === false) {
    return 'You are live, but you do not match the photo. Use a recent, sharp photo facing the camera.';
  }
  return 'Verified.';
}

/** The service's error codes (docs/api.md) in the words a person needs. */
export function serviceErrorText(code: number | undefined, message: string): string {
  switch (code) {
    case 4000:
      return 'No face was found in the photo. Choose a photo with one clear face.';
    case 4007:
      return 'No usable face was found in the video. Keep your face in the oval, in good light, and record again.';
    case 2003:
    case 2005:
      return `The service could not read the media: ${message}`;
    case 1200:
      return `The service refused the request: ${message}`;
    case 1300:
    case 1301:
    case 5003:
      return 'The service is busy or has paused requests from here. Wait a minute and try again.';
    default:
      return `The service answered with an error: ${message}`;
  }
}
