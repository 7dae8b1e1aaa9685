/** Renders report.json as the human-readable docs/eval/report.md. */
import type { ErrorRate, LivenessSummary, PeerLiveness, Target } from './liveness-summary.js';
import type { PresentationResult } from './liveness.js';
import { MOTIONS } from './attack-clips.js';
import type { Interval, Summary, TarAtFar } from './metrics.js';
import { CUES, type Cue, type CueResearch } from './cue-research/measure-cues.js';
import type { EvalReport } from './report.js';
import type { LosoReport } from './liveness-loso.js';
import type { LivenessCalibration } from '../../services/verifier/src/models/bundle-manifest.js';
import { expectedFalseMatches, falseMatchP, fmrContradicted } from './verification-targets.js';
import type { PairSetResult, PipelineVerification, ThresholdRow } from './verification.js';

const pct = (v: number, digits = 1): string =>
  Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : 'n/a';
const num = (v: number, digits = 3): string =>
  Number.isFinite(v) ? v.toFixed(digits) : v === -Infinity ? 'no face' : 'n/a';
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]): string =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const short = (file: string): string => file.replace(/^.*\//, '');
const meanSd = (s: Summary): string =>
  s.n === 0 ? 'n/a' : `${num(s.mean)} ± ${num(s.sd)} (n = ${s.n})`;

/** TAR with its support: impostors accepted of all; † = fewer than 10 accepted, a bound rather than a measured FAR. */
function tar(t: TarAtFar): string {
  return `${pct(t.tar)} (${t.impostorsAccepted}/${t.impostors}${t.measured ? '' : ' †'})`;
}
const DAGGER =
  '† fewer than 10 impostor pairs lie above the threshold: the FAR is bounded, **not measured** — do not read this column as a rate.';

function verificationTable(pipelines: readonly PipelineVerification[], setIndex: number): string {
  return table(
    [
      'pipeline',
      'genuine / impostor pairs',
      'pairs with a detection failure (gen / imp)',
      'AUC',
      'EER',
      'TAR @ FAR 1%',
      'TAR @ FAR 0.1%',
    ],
    pipelines.map((p) => {
      const s = p.sets[setIndex]!;
      return [
        p.pipeline,
        `${s.genuine} / ${s.impostor}`,
        `${s.genuineFailures} / ${s.impostorFailures}`,
        num(s.auc, 4),
        pct(s.eer.eer),
        tar(s.tar[0]!),
        tar(s.tar[1]!),
      ];
    }),
  );
}

function histogramTable(s: PairSetResult): string {
  const e = s.histogram.edges;
  return table(
    ['score bin', 'genuine', 'impostor'],
    [
      ...s.histogram.genuine.map((g, i) => [
        `[${num(e[i]!, 2)}, ${num(e[i + 1]!, 2)}${i === s.histogram.genuine.length - 1 ? ']' : ')'}`,
        g,
        s.histogram.impostor[i]!,
      ]),
      ['no face found', s.genuineFailures, s.impostorFailures],
    ],
  );
}

function verificationSection(r: EvalReport): string {
  const v = r.verification;
  const ours = v.pipelines[0]!;
  const out: string[] = ['## 1. Verification (photo pairs)', ''];
  out.push(
    `Pairs from PAIRS.tsv labelled \`same\` / \`different\`; left out: ${
      Object.entries(v.excludedPairs)
        .map(([k, n]) => `${n} (${k})`)
        .join(', ') || 'none'
    }. ` +
      'A detection failure counts as a non-match (score −∞). Trivial pairs are resolution variants, mirrors and aligned crops of one photo (`isTrivialPair`). ' +
      'TAR at FAR x accepts at most ⌊x·n⌋ impostors; when fewer than 10 impostors lie above the threshold the FAR is not measured but only bounded, and the table says so.',
    '',
  );
  for (const p of v.pipelines)
    out.push(
      `- **${p.pipeline}**: ${p.description}; ${num(p.msPerPhoto, 0)} ms per photo (decode + detect + embed, this machine).`,
    );
  for (const u of v.unavailable) out.push(`- **${u.name}: not measured** — ${u.reason}`);
  out.push('');
  out.push(
    '### Failure to acquire per source (ours)',
    '',
    'Photos of the verification pairs in which no face was found, per MANIFEST source; a photo without a face turns every pair it is in into a non-match. A photo with no plausible face is retried with a border around it (vision/face-detector.ts).',
    '',
    table(
      ['source', 'photos', 'no face', 'rate', 'which'],
      v.failureToAcquire.map((f) => [
        f.source,
        f.photos,
        f.noFace.length,
        `${pct(f.noFace.length / f.photos)} (Wilson ${interval(f.ci95)})`,
        f.noFace.map(short).join(', '),
      ]),
    ),
    '',
  );
  out.push('TAR cells: rate (impostors accepted at that threshold / impostors). ' + DAGGER, '');
  ours.sets.forEach((s, i) => {
    out.push(`### ${s.set}`, '', verificationTable(v.pipelines, i), '');
  });
  if (v.common.length > 1) {
    out.push(
      '### Descriptors on equal terms: only pairs where every pipeline found both faces',
      '',
    );
    v.common[0]!.sets.forEach((s, i) =>
      out.push(`**${s.set}**`, '', verificationTable(v.common, i), ''),
    );
  }
  out.push('### Score distributions (PAIRS.tsv, without trivial pairs)', '');
  out.push(
    table(
      [
        'pipeline',
        'score',
        'genuine mean ± sd',
        'impostor mean ± sd',
        'impostor max',
        'EER threshold',
      ],
      v.pipelines.map((p) => {
        const s = p.sets[1]!;
        return [
          p.pipeline,
          p.score,
          meanSd(s.genuineScores),
          meanSd(s.impostorScores),
          num(s.impostorScores.max),
          num(s.eer.threshold),
        ];
      }),
    ),
    '',
  );
  for (const p of v.pipelines)
    out.push(`**${p.pipeline}** histogram`, '', histogramTable(p.sets[1]!), '');
  out.push(
    "### Observed false-match rate at the seed table's verification_score thresholds (ours)",
    '',
  );
  out.push(
    'The promise is FMR = 10^(3 − 10·s). "observed" counts impostor pairs whose verification_score ≥ s; with n impostors, a promised rate below 1/n cannot be observed, only not contradicted.',
    '',
  );
  for (const s of ours.sets.filter((x) => /without trivial/.test(x.set))) {
    out.push(
      `**${s.set}**`,
      '',
      table(
        [
          'verification_score ≥',
          'promised FMR',
          'observed FMR (impostors accepted / n)',
          'TAR (genuine accepted / n)',
          'verdict',
        ],
        (s.thresholds ?? []).map((t) => [
          t.score.toFixed(1),
          t.promisedFmr >= 0.01
            ? pct(t.promisedFmr, 0)
            : `1 in ${Math.round(1 / t.promisedFmr).toLocaleString('en')}`,
          `${pct(t.observedFmr.rate, 2)} (${t.observedFmr.count} / ${t.observedFmr.n})`,
          `${pct(t.tar.rate)} (${t.tar.count} / ${t.tar.n})`,
          verdict(t),
        ]),
      ),
      '',
    );
  }
  out.push('### Detection failures and worst pairs (PAIRS.tsv, without trivial pairs)', '');
  for (const p of v.pipelines) {
    const s = p.sets[1]!;
    out.push(
      `**${p.pipeline}** — no face found in ${p.noFace.length} of ${p.encoded} files${p.noFace.length > 0 ? `: ${p.noFace.map(short).join(', ')}` : ''}.`,
      '',
    );
    out.push(
      table(
        ['worst genuine (lowest)', 'score', 'worst impostor (highest)', 'score'],
        s.worstGenuine.map((g, i) => {
          const imp = s.worstImpostor[i];
          return [
            `${g.a} ↔ ${short(g.b)}`,
            num(g.score),
            imp === undefined ? '' : `${imp.a} ↔ ${short(imp.b)}`,
            imp === undefined ? '' : num(imp.score),
          ];
        }),
      ),
      '',
    );
  }
  return out.join('\n');
}

/** Observed false matches against the promise, as a Poisson tail probability. */
function verdict(row: ThresholdRow): string {
  const count = row.observedFmr.count;
  const expected = expectedFalseMatches(row);
  const p = falseMatchP(row);
  if (count === 0)
    return expected < 1
      ? `not contradicted; ${expected.toFixed(2)} expected, too few impostors to observe the rate`
      : `consistent (${expected.toFixed(1)} expected)`;
  return fmrContradicted(row)
    ? `**worse than promised**: ${expected.toFixed(2)} expected, P(≥ ${count}) = ${p.toPrecision(2)}`
    : `consistent: ${expected.toFixed(2)} expected, P(≥ ${count}) = ${p.toPrecision(2)}`;
}

/** An exact 95% interval, e.g. "95% CI 0.2–31.9%". */
const interval = (i: Interval): string => `95% CI ${pct(i.low)}–${pct(i.high)}`;

function rateRows(rates: readonly ErrorRate[], what: string): (string | number)[][] {
  return rates.map((r) => [
    r.label,
    r.n,
    `${r.errors} ${what}`,
    `**${pct(r.rate)}** (${interval(r.ci95)})`,
    `${r.noUsableFace} (${pct(r.n === 0 ? NaN : r.noUsableFace / r.n)})`,
    r.errorIds.length === 0
      ? ''
      : r.errorIds.slice(0, 8).map(short).join(', ') + (r.errorIds.length > 8 ? ', …' : ''),
  ]);
}

function presentationRow(p: PresentationResult): (string | number)[] {
  const c = p.cues;
  const e = p.evidence;
  const outcome =
    p.status === 'error'
      ? `refused ${p.errorCode}`
      : `${p.passed ? '**pass**' : 'fail'} (${p.status})`;
  return [
    `${short(p.id)}${p.flag === undefined ? '' : ' ⚑'}`,
    p.species,
    outcome,
    num(p.livenessScore ?? NaN),
    c === undefined
      ? ''
      : `${num(c.nonPlanarMotion, 4)} / ${num(c.blinkDepth, 2)} / ${num(c.presentationAttack, 3)} / ${c.trackedFrames}`,
    e === undefined ? '' : `${num(e.motion, 2)} / ${num(e.blink, 2)} / ${num(e.direct, 2)}`,
    p.human === undefined
      ? ''
      : `${num(p.human.real, 2)} / ${num(p.human.live, 2)} (${p.human.frames} fr)`,
  ];
}

function peerLivenessTable(h: readonly PeerLiveness[]): string {
  const rows: (string | number)[][] = [];
  for (const m of h) {
    rows.push([
      `human ${m.model}`,
      `AUC ${num(m.auc)}; threshold at EER ${num(m.threshold)}`,
      `BPCER ${pct(m.bpcer.rate)} (${m.bpcer.errors}/${m.bpcer.n})`,
      ...m.apcer.map((a) => `${pct(a.rate)} (${a.errors}/${a.n})`),
    ]);
  }
  return table(
    ['model', 'per-video mean score', 'bona fide', ...h[0]!.apcer.map((a) => `APCER ${a.label}`)],
    rows,
  );
}

function targetVerdict(t: Target): string {
  return t.met
    ? `met (margin ${t.marginPp.toFixed(1)} pp)`
    : `**missed** by ${(-t.marginPp).toFixed(1)} pp`;
}

const nearest = (t: Target): string =>
  t.closest === undefined ? 'n/a' : `${short(t.closest.id)}: ${num(t.closest.score)}`;

function livenessSection(r: EvalReport): string {
  const s: LivenessSummary = r.liveness.summary;
  const ps = r.liveness.presentations;
  const out: string[] = ['## 2. Liveness, per video (ISO/IEC 30107-3 terms)', ''];
  out.push(
    'Each presentation goes through `verify` as a request would; the decision is the `passed` the API returns ' +
      '(any refusal, 4007 included, is a rejection). APCER = attack presentations accepted / attack presentations of that species; ' +
      'BPCER = bona fide presentations rejected / bona fide presentations. Still-photo clips are made at run time from every real photo (kinds `photo`, `live-image`): ' +
      (Number(r.run.options['movingPerPhoto']) >= MOTIONS.length - 1
        ? 'every photo in every motion (static, zoom, pan, rotate, perspective wobble, handheld shake with noise, small and noisy), 3 s at 25 fps; '
        : `a static clip plus ${r.run.options['movingPerPhoto']} moving variant(s) per photo in rotation (zoom, pan, rotate, perspective wobble, handheld shake with noise, small and noisy), 3 s at 25 fps; `) +
      'recaptured pictures (`spoof-image`, `spoof-image-print`) get every motion. ⚑ = flagged (see the flag column of report.json).',
    '',
  );
  out.push('### Targets of the issue', '');
  out.push(
    `Decisions at liveness threshold ${num(s.threshold, 2)}. "Nearest" is the attack with the highest liveness score (APCER) or the live video with the lowest (BPCER): ` +
      'with a 0% target the rate has no margin, the distance of that score from the threshold does.',
    '',
    table(
      ['metric', 'target', 'measured', 'presentations', 'verdict', 'nearest to the threshold'],
      s.targets.map((t) => [
        t.metric,
        t.target,
        `${pct(t.measured)} (${interval(t.ci95)})`,
        t.n,
        targetVerdict(t),
        nearest(t),
      ]),
    ),
    '',
  );
  const head = [
    'class',
    'presentations',
    'errors',
    'rate',
    'refused 4007 (no usable face)',
    'which',
  ];
  out.push('### APCER per attack species', '', table(head, rateRows(s.apcer, 'accepted')), '');
  out.push(
    '### APCER of still-photo clips per motion',
    '',
    table(head, rateRows(s.apcerByMotion, 'accepted')),
    '',
  );
  out.push('### BPCER', '', table(head, rateRows(s.bpcer, 'rejected')), '');
  out.push(
    'Reported separately (not a bona fide selfie, not an attack):',
    '',
    table(head, rateRows(s.multiFace, 'accepted')),
    '',
  );
  out.push('### Every video (not the generated clips)', '');
  out.push(
    'cues = nonPlanarMotion (IOD) / blinkDepth / presentationAttack (mean "real") / tracked frames; evidence = motion / blink / direct (the score is min(max(motion, blink), direct)); human = antispoof / liveness per-video means.',
    '',
  );
  out.push(
    table(
      ['video', 'class', 'outcome', 'liveness score', 'cues', 'evidence', 'human'],
      ps.filter((p) => p.motion === undefined).map(presentationRow),
    ),
    '',
  );
  out.push('### Which cue separates what: distribution per class (median [min – max])', '');
  const cueNames = Object.keys(s.cueClasses[0]?.cues ?? {});
  out.push(
    table(
      ['class', 'n', ...cueNames],
      s.cueClasses.map((c) => [
        c.label,
        c.n,
        ...cueNames.map((k) => {
          const v = c.cues[k]!;
          return v.n === 0 ? 'n/a' : `${num(v.median, 3)} [${num(v.min, 3)} – ${num(v.max, 3)}]`;
        }),
      ]),
    ),
    '',
  );
  out.push("### Peer: human's antispoof and liveness models", '');
  if (s.human === undefined) out.push('Not run (the human peer was unavailable).', '');
  else {
    out.push(
      `Per-video mean of the per-frame score over ${r.liveness.humanScope}. ` +
        'The threshold is chosen **at the EER of these same presentations** (bona fide vs all attacks): an optimistic, post-hoc operating point that no deployment would have, reported as such. ' +
        'face-api has no liveness or anti-spoofing output.',
      '',
      peerLivenessTable(s.human),
      '',
    );
  }
  out.push(losoSection(r.liveness.loso));
  out.push(cueResearchSection(r.liveness.cueResearch));
  return out.join('\n');
}

/** The cues the decision does not use, each on its own: what it separates, at what price. */
/** In-source against out-of-source error rates, and what each fold fitted. */
function losoSection(l: LosoReport): string {
  const rate = (x: { errors: number; rate: number; ci95: Interval }, n: number) =>
    `${x.errors} of ${n}: **${pct(x.rate)}** (Wilson ${interval(x.ci95)})`;
  const cal = (c: LivenessCalibration) => [
    num(c.motion.jitterFloor, 4),
    num(c.motion.jitterFloor * c.motion.factor, 4),
    num(c.blink.depth, 2),
    num(c.presentationAttack.centre, 3),
  ];
  return [
    '### Leave one source out: what the decision does on sources it was not fitted on',
    '',
    'Every fitted constant of the decision (the motion jitter floor and centre, the blink depth, the presentation-attack centre) ' +
      'is refitted without the source a presentation comes from, by the rules that set the shipped calibration (e2e/eval/liveness-loso.ts), ' +
      'and the presentation is decided with that fit. A source is a MANIFEST repository; repositories that share a person or a generator family are held out together. ' +
      '*In-source*: the same rules fitted on every presentation and judged on those same presentations, which is what a figure fitted and measured on one corpus shows. ' +
      `*Out-of-source* is the figure a change is judged on. Threshold ${num(l.threshold, 2)}; a refusal (4007) is a rejection in both.`,
    '',
    table(
      ['class', 'presentations', 'in-source', 'out-of-source', 'wrong out-of-source'],
      l.rates.map((x) => [
        x.label,
        x.n,
        rate(x.inSource, x.n),
        rate(x.outOfSource, x.n),
        x.outOfSource.errorIds.map(short).join(', '),
      ]),
    ),
    '',
    'What each fold fitted (motion in inter-ocular distances):',
    '',
    table(
      [
        'held out',
        'presentations',
        'wrong',
        'jitter floor',
        'motion centre',
        'blink depth',
        'attack-model centre',
      ],
      [
        ['(none: fitted on all)', '', '', ...cal(l.fittedOnAll)],
        ...l.folds.map((f) => [f.heldOut, f.presentations, f.errors, ...cal(f.calibration)]),
      ],
    ),
    '',
  ].join('\n');
}

function cueResearchSection(c: CueResearch): string {
  const range = (v: Summary) =>
    v.n === 0 ? 'n/a' : `${num(v.median, 3)} [${num(v.min, 3)} – ${num(v.max, 3)}]`;
  const names: Record<Cue, string> = {
    border: 'frame borders (0–1)',
    moire: 'moiré (log10 peak / ring median)',
    parallax: 'rigid parallax (IOD)',
    rankOneShare: 'parallax rank-one share',
  };
  return [
    '### Cues measured on their own, not part of the decision',
    '',
    "Issue #3 §2 asks for recapture cues and 3-D parallax consistency. Each is measured here on its own; docs/liveness.md says why none is fused. **Frame borders**: the share of the face's span covered by straight edges on two opposite sides of it (a bezel, a paper's edge). **Moiré**: the strongest isolated frequency in the face's centre over its ring's median power. **Rigid parallax**: the nose and eye corners mapped by their best homography onto the clip's mean shape, the smoothed residual (90th percentile, in inter-ocular distances), and the share of that residual in one rigid depth map (rank one). Videos are decoded as the service decodes them; recapture cues are read on 8 of the sampled frames, parallax over all of them; pictures are read once at the working size; still-photo clips are one moving clip per real photo.",
    '',
    'Distribution per class (median [min – max]):',
    '',
    table(
      ['class', 'n', ...CUES.map((k) => names[k])],
      c.classes.map((k) => [k.class, k.n, ...CUES.map((cue) => range(k.cues[cue]))]),
    ),
    '',
    'Separation (AUC: 1 = every attack on the attack side of every bona fide presentation, 0.5 = chance):',
    '',
    table(
      ['cue', 'attack', 'bona fide', 'attacks score', 'AUC'],
      c.separation.map((s) => [
        names[s.cue],
        `${s.attack} (${s.attacks})`,
        `${s.bonaFide} (${s.bonaFides})`,
        s.attackHigher ? 'higher' : 'lower',
        num(s.auc, 2),
      ]),
    ),
    '',
    'The price of catching every replay video with a recapture cue alone (threshold at the lowest replay):',
    '',
    table(
      ['cue', 'threshold', 'live videos caught', 'real pictures caught'],
      c.replayPrice.map((p) => [
        names[p.cue],
        num(p.threshold, 2),
        `${p.liveVideosCaught} of ${p.liveVideos}`,
        `${p.realPicturesCaught} of ${p.realPictures} (${pct(p.realPicturesCaught / p.realPictures)})`,
      ]),
    ),
    '',
  ].join('\n');
}

function occlusionSection(r: EvalReport): string {
  const o = r.occlusion;
  return [
    '## 3. Occlusion (check_quality → 4004)',
    '',
    `Positives: \`occluded-face\` photos with a face found (${o.positives}); negatives: clean \`photo\` kind with a face found (${o.negatives}).`,
    '',
    table(
      ['precision', 'recall', 'TP', 'FP', 'FN', 'target'],
      [
        [
          pct(o.refusal.precision),
          pct(o.refusal.recall),
          o.refusal.truePositives,
          o.refusal.falsePositives,
          o.refusal.falseNegatives,
          o.refusal.recall >= 0.9 && o.refusal.precision >= 0.9
            ? 'met (recall ≥ 90% at precision ≥ 90%)'
            : '**missed** (recall ≥ 90% at precision ≥ 90%)',
        ],
      ],
    ),
    '',
    `- Occluded photos with no face found at all (4000, refused but not by the occlusion check): ${o.occludedNoFace.length}${o.occludedNoFace.length ? ` — ${o.occludedNoFace.map(short).join(', ')}` : ''}.`,
    `- Clean photos with no face found (4000): ${o.cleanNoFace.length}${o.cleanNoFace.length ? ` — ${o.cleanNoFace.map(short).join(', ')}` : ''}.`,
    `- Occluded photos accepted: ${o.missed.map(short).join(', ') || 'none'}.`,
    `- Clean photos refused as occluded: ${o.falseRefusals.map(short).join(', ') || 'none'}.`,
    '',
  ].join('\n');
}

function rotationSection(r: EvalReport): string {
  const a = r.autoRotate;
  const rows = [...a.rows].sort(
    (x, y) => x.degrees - y.degrees || Number(x.autoRotate) - Number(y.autoRotate),
  );
  return [
    '## 4. auto_rotate',
    '',
    `Real photos (kind \`photo\`, ${a.photos}; ${a.uprightNoFace.length} left out because no face is found upright) with their pixels turned clockwise (no EXIF). ` +
      "Success = a face found and its embedding at cosine ≥ 0.5 to the upright photo's (the right orientation was chosen).",
    '',
    table(
      ['rotation', 'auto_rotate', 'success', 'no face found', 'failures'],
      rows.map((x) => [
        `${x.degrees}°`,
        String(x.autoRotate),
        `**${pct(x.rate)}** (${x.successes}/${x.n})`,
        x.noFace,
        x.failures.slice(0, 6).map(short).join(', ') + (x.failures.length > 6 ? ', …' : ''),
      ]),
    ),
    '',
  ].join('\n');
}

function headline(r: EvalReport): string {
  const v = r.verification;
  const out = ['## Headline', ''];
  out.push(
    'Verification on PAIRS.tsv without trivial pairs (detection failures count as non-matches):',
    '',
  );
  out.push(
    table(
      ['pipeline', 'files with no face', 'AUC', 'EER', 'TAR @ FAR 1%', 'TAR @ FAR 0.1%'],
      v.pipelines.map((p) => {
        const s = p.sets[1]!;
        const t = (x: TarAtFar) =>
          `${pct(x.tar)}${x.measured ? '' : ` † (${x.impostorsAccepted} of ${x.impostors} impostors above threshold)`}`;
        return [
          p.pipeline,
          `${p.noFace.length} of ${p.encoded}`,
          num(s.auc, 4),
          pct(s.eer.eer),
          t(s.tar[0]!),
          t(s.tar[1]!),
        ];
      }),
    ),
    '',
    DAGGER + ' Support per cell in section 1.',
    '',
  );
  out.push(
    'Verification targets (trivial pairs left out; detection failures count as non-matches):',
    '',
  );
  out.push(
    table(
      ['metric', 'target', 'measured', 'verdict', 'by how much, support, why'],
      v.targets.map((t) => [t.metric, t.target, t.measured, t.met ? 'met' : '**missed**', t.note]),
    ),
    '',
  );
  out.push('Liveness targets:', '');
  out.push(
    table(
      [
        'metric',
        'target',
        'measured',
        'verdict',
        `nearest to the threshold (${num(r.liveness.summary.threshold, 2)})`,
      ],
      r.liveness.summary.targets.map((t) => [
        t.metric,
        t.target,
        `${pct(t.measured)} of ${t.n} (${interval(t.ci95)})`,
        targetVerdict(t),
        nearest(t),
      ]),
    ),
    '',
  );
  return out.join('\n');
}

export function renderMarkdown(r: EvalReport): string {
  const m = r.run.machine;
  const header = [
    '# silentid evaluation report',
    '',
    `Generated by \`npm run eval\`${r.run.quick ? ' **--quick (subsampled: not for citing)**' : ''} on ${r.run.date.slice(0, 16).replace('T', ' ')} UTC, ` +
      `commit \`${r.run.commit}\`${r.run.dirty ? ` plus uncommitted changes to ${r.run.dirtyPaths.length} tracked file(s) (listed in report.json, run.dirtyPaths)` : ''}, model bundle \`${r.run.bundle}\`.`,
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.os}. Corpus: \`${r.run.dataDir}\`. ` +
      `Wall time ${Math.round(r.run.wallSeconds / 60)} min (${Object.entries(r.run.stageSeconds)
        .map(([k, s]) => `${k} ${Math.round(s)} s`)
        .join(', ')}).`,
    '',
    'Small corpus: every figure is a measurement on a few hundred pairs and a few dozen videos, not a guarantee. See docs/eval/README.md for what each number means.',
    '',
  ].join('\n');
  return (
    [
      header,
      headline(r),
      verificationSection(r),
      livenessSection(r),
      occlusionSection(r),
      rotationSection(r),
    ].join('\n') + '\n'
  );
}
