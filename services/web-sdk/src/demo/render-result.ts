/**
 * Fills the result section from the service's answer. Every value goes in through
 * textContent or an attribute, never as HTML. Raw liveness figures only in dev mode:
 * they would tell an attacker how close a spoof came (docs/web-sdk.md).
 */
import {
  DEFAULT_MATCH_THRESHOLD,
  describeRate,
  falseMatchRate,
  type LivenessCue,
  type VerificationAnswer,
} from '../upload/verification-answer.js';
import { outcomeHint, SERVICE_HINT_TEXT } from './messages.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
};

export function renderResult(answer: VerificationAnswer, mode: 'dev' | 'production'): void {
  const section = byId<HTMLElement>('result');
  const score = answer.verification_score;
  const matched = score === undefined ? undefined : score >= DEFAULT_MATCH_THRESHOLD;
  section.dataset.passed = String(answer.passed);
  section.dataset.matched = matched === undefined ? '' : String(matched);

  const verdict = byId<HTMLElement>('verdict');
  verdict.textContent = answer.passed ? 'Live person: passed' : 'Not passed: not confirmed live';
  verdict.className = `verdict ${answer.passed ? 'passed' : 'failed'}`;

  const threshold = DEFAULT_MATCH_THRESHOLD;
  byId<HTMLElement>('match').textContent =
    score === undefined
      ? ''
      : `Verification score ${score.toFixed(3)}: ${matched ? 'the same person' : 'not the same person'} ` +
        `at the usual threshold ${threshold} (false-match rate ${describeRate(falseMatchRate(threshold))}). ` +
        `A threshold set at this score would have a false-match rate of ${describeRate(falseMatchRate(score))}.`;

  // Production mode asks for no details, so its advice is generic; dev mode has the
  // service's own hints on what to change.
  byId<HTMLElement>('result-hint').textContent =
    mode === 'production'
      ? outcomeHint(answer, matched)
      : (answer.liveness_details?.hints ?? []).map((h) => SERVICE_HINT_TEXT[h]).join(' ');
  renderFrames(answer);
  renderRawFigures(answer, mode);
  byId<HTMLElement>('request-id').textContent = `Request id: ${answer.request_id}`;
  section.hidden = false;
}

function renderFrames(answer: VerificationAnswer): void {
  const frames = byId<HTMLElement>('frames');
  const best = byId<HTMLImageElement>('best-frame');
  const face = byId<HTMLImageElement>('face-crop');
  frames.hidden = answer.base64_image === undefined && answer.base64_face_image === undefined;
  best.src =
    answer.base64_image === undefined ? '' : `data:image/jpeg;base64,${answer.base64_image}`;
  face.src =
    answer.base64_face_image === undefined
      ? ''
      : `data:image/jpeg;base64,${answer.base64_face_image}`;
  byId<HTMLElement>('best-frame-caption').textContent =
    answer.image_timestamp === undefined
      ? 'Best frame'
      : `Best frame, at ${answer.image_timestamp.toFixed(2)} s`;
}

function renderRawFigures(answer: VerificationAnswer, mode: 'dev' | 'production'): void {
  const raw = byId<HTMLElement>('raw');
  const details = answer.liveness_details;
  raw.hidden = mode !== 'dev';
  if (mode !== 'dev') return;
  const rows = byId<HTMLTableSectionElement>('cues');
  rows.replaceChildren();
  const cues: [string, LivenessCue | undefined][] = [
    ['Non-planar motion', details?.cues.non_planar_motion],
    ['Blink', details?.cues.blink],
    ['Presentation attack (direct model)', details?.cues.presentation_attack],
  ];
  for (const [name, cue] of cues) {
    if (cue === undefined) continue;
    const tr = document.createElement('tr');
    for (const text of [name, cue.value.toFixed(4), cue.evidence.toFixed(4)]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    rows.append(tr);
  }
  byId<HTMLElement>('raw-summary').textContent =
    `liveness_score ${answer.liveness_score.toFixed(4)}` +
    (details === undefined ? '' : ` against the threshold ${details.threshold}`) +
    `; status ${answer.liveness_status ?? 'not asked'}` +
    (details === undefined
      ? ' (no cue was measured)'
      : `; ${details.tracked_frames} of ${details.sampled_frames} sampled frames tracked a face` +
        (details.blink_search_frames > 0
          ? `; ${details.blink_search_frames} later frames searched for a blink.`
          : '.'));
}
