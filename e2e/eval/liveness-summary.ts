/**
 * APCER per attack species, BPCER, 4007 rates, the cues' distributions per class, and
 * the human peer's per-video scores turned into the same error rates at a threshold
 * chosen at its EER on this very data (optimistic for the peer, and said so).
 */
import { WARPS, type Motion } from './attack-clips.js';
import {
  clopperPearson,
  equalErrorRate,
  rocAuc,
  summarise,
  type Interval,
  type Summary,
} from './metrics.js';
import type { PresentationResult, Species } from './liveness.js';

export interface ErrorRate {
  readonly label: string;
  /** Attacks accepted (APCER) or bona fide rejected (BPCER). */
  readonly errors: number;
  readonly n: number;
  readonly rate: number;
  /** Exact 95% confidence interval of `rate` (Clopper–Pearson). */
  readonly ci95: Interval;
  /** Refused with 4007 (no usable face in the video). */
  readonly noUsableFace: number;
  readonly errorIds: readonly string[];
}

export interface Target {
  readonly metric: string;
  readonly target: string;
  readonly measured: number;
  readonly n: number;
  /** Exact 95% confidence interval of `measured`. */
  readonly ci95: Interval;
  readonly met: boolean;
  /** How far from the limit, in percentage points (positive = room to spare). */
  readonly marginPp: number;
  /**
   * The presentation nearest the decision: the highest-scoring attack (APCER) or the
   * lowest-scoring bona fide video (BPCER). With a 0% target the rate has no margin; the
   * distance of this score from the threshold is the margin that matters.
   */
  readonly closest?: { readonly id: string; readonly score: number };
}

export interface CueClass {
  readonly label: string;
  readonly n: number;
  readonly cues: Readonly<Record<string, Summary>>;
}

export interface PeerLiveness {
  readonly model: 'antispoof' | 'liveness';
  readonly auc: number;
  readonly threshold: number;
  readonly bpcer: ErrorRate;
  readonly apcer: readonly ErrorRate[];
  readonly noFace: number;
}

export interface LivenessSummary {
  /** The liveness threshold the decisions were made at. */
  readonly threshold: number;
  readonly apcer: readonly ErrorRate[];
  readonly apcerByMotion: readonly ErrorRate[];
  readonly bpcer: readonly ErrorRate[];
  readonly multiFace: readonly ErrorRate[];
  readonly targets: readonly Target[];
  readonly cueClasses: readonly CueClass[];
  readonly human?: readonly PeerLiveness[];
}

const ATTACKS: readonly { label: string; species: readonly Species[] }[] = [
  { label: 'still-photo videos (image injection)', species: ['still-photo'] },
  { label: 'recaptures: printed/screen pictures as clips', species: ['recapture-still'] },
  { label: 'recaptures: screen-replay videos', species: ['replay-video'] },
  { label: 'recaptures, all', species: ['recapture-still', 'replay-video'] },
  { label: 'synthesized talking heads (deepfakes)', species: ['synthetic-video'] },
  { label: 'warped photos (a still picture bent by a filter)', species: ['warped-photo'] },
];

function rate(
  label: string,
  rs: readonly PresentationResult[],
  isError: (r: PresentationResult) => boolean,
): ErrorRate {
  const errs = rs.filter(isError);
  return {
    label,
    errors: errs.length,
    n: rs.length,
    rate: rs.length === 0 ? NaN : errs.length / rs.length,
    ci95: clopperPearson(errs.length, rs.length),
    noUsableFace: rs.filter((r) => r.errorCode === 4007).length,
    errorIds: errs.map((r) => r.id),
  };
}

/** `threshold`: the liveness threshold `passed` was decided with (the bundle's, or LIVENESS_THRESHOLD). */
export function summariseLiveness(
  results: readonly PresentationResult[],
  threshold: number,
): LivenessSummary {
  const of = (species: readonly Species[]) => results.filter((r) => species.includes(r.species));
  const accepted = (r: PresentationResult) => r.passed;
  const rejected = (r: PresentationResult) => !r.passed;
  const bona = of(['bona-fide']);
  const apcer = ATTACKS.map((a) => rate(a.label, of(a.species), accepted));
  const motions = [...new Set(of(['still-photo']).map((r) => r.motion))] as Motion[];
  const apcerByMotion = motions.map((m) =>
    rate(
      `still photo, ${m}`,
      of(['still-photo']).filter((r) => r.motion === m),
      accepted,
    ),
  );
  const bpcer = [
    rate('live videos, all', bona, rejected),
    rate(
      'live videos, without flagged ones',
      bona.filter((r) => r.flag === undefined),
      rejected,
    ),
  ];
  const multiFace = [
    rate('multi-face video (street crowd): accepted', of(['multi-face-video']), accepted),
  ];
  const score = (r: PresentationResult) => r.livenessScore ?? -Infinity;
  const nearest = (rs: readonly PresentationResult[], highest: boolean) => {
    const scored = rs.filter((r) => Number.isFinite(score(r)));
    if (scored.length === 0) return undefined;
    const r = scored.reduce((a, b) =>
      (highest ? score(b) > score(a) : score(b) < score(a)) ? b : a,
    );
    return { id: r.id, score: score(r) };
  };
  const target = (
    metric: string,
    r: ErrorRate,
    limit: number,
    rs: readonly PresentationResult[],
    attack: boolean,
  ): Target => {
    const closest = nearest(rs, attack);
    return {
      metric,
      target: `≤ ${(limit * 100).toFixed(0)}%`,
      measured: r.rate,
      n: r.n,
      ci95: r.ci95,
      met: r.rate <= limit,
      marginPp: (limit - r.rate) * 100,
      ...(closest === undefined ? {} : { closest }),
    };
  };
  const targets = [
    target('APCER, still-photo videos', apcer[0]!, 0, of(['still-photo']), true),
    target(
      'APCER, recaptures (pictures as clips + replay videos)',
      apcer[3]!,
      0.1,
      of(['recapture-still', 'replay-video']),
      true,
    ),
    target('APCER, synthesized talking heads', apcer[4]!, 0.1, of(['synthetic-video']), true),
    // The "injected still videos" target: a still picture bent over time is one.
    target('APCER, warped photos', apcer[5]!, 0, of(['warped-photo']), true),
    target('BPCER, live videos (all, flagged included)', bpcer[0]!, 0.05, bona, false),
  ];
  const classes: { label: string; rs: readonly PresentationResult[] }[] = [
    { label: 'bona fide (live videos)', rs: bona },
    ...motions.map((m) => ({
      label: `still photo, ${m}`,
      rs: of(['still-photo']).filter((r) => r.motion === m),
    })),
    { label: 'recaptured pictures as clips', rs: of(['recapture-still']) },
    { label: 'screen-replay videos', rs: of(['replay-video']) },
    { label: 'synthesized talking heads', rs: of(['synthetic-video']) },
    ...WARPS.map((m) => ({
      label: `warped photo, ${m}`,
      rs: of(['warped-photo']).filter((r) => r.motion === m),
    })),
  ];
  const cueClasses = classes.map(({ label, rs }) => {
    const withCues = rs.filter((r) => r.cues !== undefined);
    const pick = (f: (r: PresentationResult) => number) => summarise(withCues.map(f));
    return {
      label,
      n: withCues.length,
      cues: {
        nonPlanarMotion: pick((r) => r.cues!.nonPlanarMotion),
        blinkDepth: pick((r) => r.cues!.blinkDepth),
        presentationAttack: pick((r) => r.cues!.presentationAttack),
        trackedFrames: pick((r) => r.cues!.trackedFrames),
        'evidence.motion': pick((r) => r.evidence!.motion),
        'evidence.blink': pick((r) => r.evidence!.blink),
        'evidence.direct': pick((r) => r.evidence!.direct),
        'evidence.score': pick((r) => r.evidence!.score),
      },
    };
  });
  const scored = results.filter((r) => r.human !== undefined && r.species !== 'multi-face-video');
  const human =
    scored.length === 0
      ? undefined
      : (['antispoof', 'liveness'] as const).map((model) => peerLiveness(model, scored));
  return {
    threshold,
    apcer,
    apcerByMotion,
    bpcer,
    multiFace,
    targets,
    cueClasses,
    ...(human === undefined ? {} : { human }),
  };
}

/** A per-video mean score turned into decisions at the EER threshold of bona fide vs all attacks. */
function peerLiveness(
  model: 'antispoof' | 'liveness',
  rs: readonly PresentationResult[],
): PeerLiveness {
  const value = (r: PresentationResult) => {
    const v = model === 'antispoof' ? r.human!.real : r.human!.live;
    return Number.isFinite(v) ? v : -Infinity;
  };
  const bona = rs.filter((r) => r.species === 'bona-fide');
  const attacks = rs.filter((r) => r.species !== 'bona-fide');
  const eer = equalErrorRate(bona.map(value), attacks.map(value));
  const accepted = (r: PresentationResult) => value(r) >= eer.threshold;
  const of = (species: readonly Species[]) => attacks.filter((r) => species.includes(r.species));
  return {
    model,
    auc: rocAuc(bona.map(value), attacks.map(value)),
    threshold: eer.threshold,
    bpcer: rate('live videos, all', bona, (r) => !accepted(r)),
    apcer: ATTACKS.map((a) => rate(a.label, of(a.species), accepted)),
    noFace: rs.filter((r) => r.human!.frames === 0).length,
  };
}
