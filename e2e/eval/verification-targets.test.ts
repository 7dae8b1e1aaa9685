/** The verdicts of the verification targets on pair-set results built by hand. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarise } from './metrics.js';
import { verificationTargets } from './verification-targets.js';
import type { PairSetResult, PipelineVerification, ScoredPair } from './verification.js';

interface Shape {
  readonly eer: number;
  readonly tar: number;
  readonly worstGenuine?: readonly ScoredPair[];
  readonly worstImpostor?: readonly ScoredPair[];
  /** Impostors at or above 0.5 and 0.6 of the seed's table, of 1,000. */
  readonly atTable?: readonly [number, number];
}

const rate = (count: number, n: number) => ({ count, n, rate: count / n });

function pairSet(name: string, s: Shape): PairSetResult {
  const [at5, at6] = s.atTable ?? [10, 1];
  return {
    set: name,
    genuine: 200,
    impostor: 1000,
    genuineFailures: 0,
    impostorFailures: 0,
    auc: 1,
    eer: { eer: s.eer, threshold: 0, far: s.eer, frr: s.eer },
    tar: [0.01, 0.001].map((targetFar) => ({
      targetFar,
      tar: s.tar,
      threshold: 0,
      impostorsAccepted: 0,
      impostors: 1000,
      observedFar: 0,
      measured: false,
    })),
    genuineScores: summarise([1]),
    impostorScores: summarise([0]),
    histogram: { edges: [], genuine: [], impostor: [] },
    worstGenuine: s.worstGenuine ?? [],
    worstImpostor: s.worstImpostor ?? [],
    thresholds: [
      { score: 0.5, promisedFmr: 0.01, observedFmr: rate(at5, 1000), tar: rate(200, 200) },
      { score: 0.6, promisedFmr: 0.001, observedFmr: rate(at6, 1000), tar: rate(199, 200) },
    ],
  };
}

/** A pipeline whose four pair sets all have the same shape (the targets read sets 1 and 3). */
function pipeline(name: string, s: Shape): PipelineVerification {
  return {
    pipeline: name,
    description: '',
    score: '',
    noFace: [],
    encoded: 100,
    msPerPhoto: 1,
    sets: ['all', 'PAIRS', 'all+', 'PAIRS+'].map((n) => pairSet(n, s)),
  };
}

const pair = (a: string, b: string, score: number): ScoredPair => ({ a, b, score });

describe('verificationTargets', () => {
  it('meets EER and TAR with their margins, and says a TAR on few impostors is a bound', () => {
    const [eer, tar] = verificationTargets([pipeline('silentid (x)', { eer: 0.004, tar: 0.99 })]);
    assert.equal(eer!.met, true);
    assert.match(eer!.note, /margin 0\.60 pp/);
    assert.equal(tar!.met, true);
    assert.match(tar!.note, /a bound, not a measured rate: 0 of 1000/);
    const [eer2, tar2] = verificationTargets([pipeline('silentid (x)', { eer: 0.02, tar: 0.9 })]);
    assert.equal(eer2!.met, false);
    assert.match(eer2!.note, /missed by 1\.00 pp/);
    assert.equal(tar2!.met, false);
  });

  it('misses "better than every peer" when one peer is ahead, and names the pairs that cause it', () => {
    const ours = pipeline('silentid (x)', {
      eer: 0.001,
      tar: 0.995,
      worstGenuine: [pair('s/a1.jpg', 's/a2.jpg', 3.9), pair('s/b1.jpg', 's/b2.jpg', 4.5)],
      worstImpostor: [pair('s/c.jpg', 's/d.jpg', 4.0)],
    });
    const ahead = pipeline('peer-a', { eer: 0, tar: 1 });
    const behind = pipeline('peer-b', { eer: 0.05, tar: 0.6 });
    const peer = verificationTargets([ours, ahead, behind])[2]!;
    assert.equal(peer.met, false);
    assert.match(peer.note, /1 genuine pair\(s\) at or below the highest impostor c\.jpg ↔ d\.jpg/);
    assert.match(peer.note, /a1\.jpg ↔ a2\.jpg \(3\.900\)/);
    assert.doesNotMatch(peer.note, /b1\.jpg/);
    assert.equal(verificationTargets([ours, behind])[2]!.met, true);
  });

  it('flags a table threshold whose false matches contradict the promise', () => {
    const fine = verificationTargets([pipeline('silentid (x)', { eer: 0, tar: 1 })])[3]!;
    assert.equal(fine.met, true);
    // 6 impostors at 0.6 where 1 in 1,000 promises 1 of 1,000: P(≥ 6) ≈ 0.0006.
    const worse = verificationTargets([
      pipeline('silentid (x)', { eer: 0, tar: 1, atTable: [10, 6] }),
    ])[3]!;
    assert.equal(worse.met, false);
    assert.match(worse.note, /at 0\.6: 6 of 1000 where 1\.00 were promised/);
  });
});
