import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../services/verifier/src/config/config.js';
import {
  loadBundleManifest,
  type LivenessCalibration,
} from '../../services/verifier/src/models/bundle-manifest.js';
import {
  bonaFideTail,
  fitLivenessCalibration,
  losoReport,
  PA_TAIL_SD,
  sourceGroups,
  type LosoRow,
} from './liveness-loso.js';

const base = (await loadBundleManifest(loadConfig({}).modelBundleDir)).manifest.calibration
  .liveness;

const row = (
  id: string,
  repo: string,
  species: LosoRow['species'],
  motion: number,
  presentationAttack = 0.99,
  identity = id,
): LosoRow => ({
  id,
  repo,
  identity,
  species,
  cues: { nonPlanarMotion: motion, blinkDepth: 0, presentationAttack, trackedFrames: 32 },
});

test('the fit puts the motion centre above every training still attack, with its margin', () => {
  const cal = fitLivenessCalibration(
    [
      row('p1', 'a', 'still-photo', 0.004),
      row('p2', 'a', 'still-photo', 0.006),
      row('p3', 'b', 'still-photo', 0.01),
      row('v1', 'c', 'bona-fide', 0.03),
    ],
    base,
  );
  assert.equal(cal.motion.jitterFloor, 0.006);
  assert.ok(Math.abs(cal.motion.jitterFloor * cal.motion.factor - 0.012) < 1e-12);
  // Widths and the fusion's structure are not fitted.
  assert.equal(cal.motion.width, base.motion.width);
  assert.equal(cal.threshold, base.threshold);
});

test('the attack-model centre sits one width below the bona fide tail', () => {
  const probability = {
    ...base,
    presentationAttack: { centre: 0.3, width: 0.08, scale: 'probability' as const, trim: 0.1 },
  };
  const logOdds = {
    ...base,
    presentationAttack: { centre: 0.01, width: 1, scale: 'logit' as const, trim: 0.1 },
  };
  const fit = (scores: number[], on: LivenessCalibration = probability) =>
    fitLivenessCalibration(
      [
        ...scores.map((p, i) => row(`v${i}`, 'a', 'bona-fide', 0.03, p)),
        row('r1', 'b', 'recapture-still', 0.003, 0.1),
        row('r2', 'b', 'replay-video', 0.03, 0.6),
      ],
      on,
    ).presentationAttack.centre;
  const width = probability.presentationAttack.width;
  // One far outlier among many: it lies beyond 3 SD of the rest, so the tail is that score.
  const outlier = [...Array<number>(10).fill(0.99), 0.2];
  assert.equal(bonaFideTail(outlier), 0.2);
  assert.ok(Math.abs(fit(outlier) - (0.2 - width)) < 1e-12);
  // On the log-odds, one width below is the odds divided by e.
  const odds = (p: number) => p / (1 - p);
  assert.ok(Math.abs(odds(fit(outlier, logOdds)) - odds(0.2) / Math.E) < 1e-12);
  // Spread scores: 3 SD below the logit mean is below the lowest score, and the centre follows.
  const spread = [0.999, 0.99, 0.97, 0.9, 0.6];
  const logits = spread.map((p) => Math.log(p / (1 - p)));
  const mean = logits.reduce((a, b) => a + b) / logits.length;
  const sd = Math.sqrt(logits.reduce((a, z) => a + (z - mean) ** 2, 0) / (logits.length - 1));
  const tail = 1 / (1 + Math.exp(-(mean - PA_TAIL_SD * sd)));
  assert.ok(tail < 0.6);
  assert.ok(Math.abs(fit(spread) - Math.max(0, tail - width)) < 1e-12);
  // In probability never below 0; on the log-odds a low tail still gives a gate above 0.
  assert.equal(bonaFideTail([0.7]), 0.7);
  assert.equal(fit([0.9, 0.02]), 0);
  assert.ok(fit([0.9, 0.02], logOdds) > 0 && fit([0.9, 0.02], logOdds) < 0.02);
});

test('repositories that share a person or a generator family are one held-out group', () => {
  const groups = sourceGroups([
    row('x', 'OpenTalker/SadTalker', 'bona-fide', 0.03, 1, 'aoc'),
    row('y', 'OpenTalker/video-retalking', 'bona-fide', 0.03, 1, 'aoc'),
    row('z', 'Kedreamix/Linly-Talker', 'synthetic-video', 0.01, 1, 'musk'),
    row('w', 'TMElyralab/MuseTalk', 'synthetic-video', 0.01, 1, 'sun'),
    row('u', 'other/repo', 'bona-fide', 0.03, 1, '-'),
  ]);
  assert.equal(groups.get('OpenTalker/SadTalker'), groups.get('OpenTalker/video-retalking'));
  assert.equal(groups.get('Kedreamix/Linly-Talker'), groups.get('TMElyralab/MuseTalk'));
  assert.notEqual(groups.get('other/repo'), groups.get('OpenTalker/SadTalker'));
  assert.equal(groups.get('other/repo'), 'other/repo');
});

test('a source unlike the others is caught in-source and missed out-of-source', () => {
  // Source "shaky" has the one still attack that moves as much as a calm live face: fitted
  // with it, the centre sits above it; fitted without it, the centre sits below it.
  const rows = [
    row('p1', 'a', 'still-photo', 0.005),
    row('p2', 'b', 'still-photo', 0.006),
    row('p3', 'shaky', 'still-photo', 0.016),
    row('v1', 'c', 'bona-fide', 0.04),
    row('v2', 'd', 'bona-fide', 0.03),
  ];
  const r = losoReport(rows, base, 0.5);
  const stills = r.rates.find((x) => x.label.includes('still-photo'))!;
  assert.equal(stills.inSource.errors, 0);
  assert.equal(stills.outOfSource.errors, 1);
  assert.deepEqual(stills.outOfSource.errorIds, ['p3']);
  assert.equal(r.folds.find((f) => f.heldOut === 'shaky')!.errors, 1);
  const bona = r.rates.find((x) => x.label.startsWith('BPCER'))!;
  assert.equal(bona.outOfSource.errors, 0);
  // A refused clip (no cues) stays rejected in every fold.
  const refused = losoReport(
    [...rows, { ...row('v3', 'e', 'bona-fide', 0), cues: undefined }],
    base,
    0.5,
  );
  assert.equal(refused.rates[0]!.outOfSource.errors, 1);
});
