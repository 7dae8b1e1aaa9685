/**
 * `npm run eval`: the project's own pipeline (in-process, the same functions the API
 * calls) and two open peers over the labelled corpus; writes docs/eval/report.md and
 * report.json. A script, never a test: nothing here asserts a figure.
 *
 *   npm run eval [-- --quick] [-- --no-peers] [-- --moving-per-photo 6] [-- --out DIR]
 *   SILENTID_DATA_DIR=/path/to/corpus npm run eval
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../services/verifier/src/config/config.js';
import { loadBundleManifest } from '../../services/verifier/src/models/bundle-manifest.js';
import { euclidean } from '../../services/verifier/src/vision/dlib-descriptor.js';
import { cosine } from '../../services/verifier/src/vision/embedder.js';
import type { FaceTemplate } from '../../services/verifier/src/vision/face-matcher.js';
import { loadFaceModels } from '../../services/verifier/src/vision/face-models.js';
import { scratchDir } from '../support/media-tools.js';
import { MOTIONS } from './attack-clips.js';
import { corpus, repoRoot, type CorpusFile } from './corpus.js';
import { photoTemplates } from './photo-templates.js';
import { summariseLiveness } from './liveness-summary.js';
import { buildPresentations, runPresentations, type Presentation } from './liveness.js';
import { losoReport } from './liveness-loso.js';
import { loadFaceApi } from './peers/face-api.js';
import { loadHuman, type HumanPeer } from './peers/human.js';
import type { PeerEncoder } from './peers/peer.js';
import { measureAutoRotate, measureOcclusion } from './photo-checks.js';
import { measureCues } from './cue-research/measure-cues.js';
import { renderMarkdown } from './report-markdown.js';
import { verificationTargets } from './verification-targets.js';
import {
  gitState,
  machine,
  type EvalReport,
  type FailureToAcquire,
  type UnavailablePeer,
} from './report.js';
import { wilson } from './metrics.js';
import {
  buildPairSets,
  commonPairs,
  filesOf,
  measure,
  type PairSet,
  type PipelineVerification,
} from './verification.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
    'moving-per-photo': { type: 'string' },
    'warped-per-photo': { type: 'string' },
    'human-frames': { type: 'string', default: '4' },
    'human-all-clips': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(repoRoot, 'docs/eval') },
  },
});
const quick = args.quick;
const options = {
  quick,
  peers: !args['no-peers'],
  // Every motion of every photo (6 moving variants plus the static clip) keeps a full run
  // near 17 minutes on 2 cores; fewer rotate through the motions photo by photo.
  movingPerPhoto: Number(args['moving-per-photo'] ?? (quick ? 1 : MOTIONS.length - 1)),
  // One non-rigid warp per photo, ripple and bulge in turn (their ffmpeg filter is slow).
  warpedPerPhoto: Number(args['warped-per-photo'] ?? 1),
  humanFrames: Number(args['human-frames']),
  humanAllClips: args['human-all-clips'],
};

const started = performance.now();
const stageSeconds: Record<string, number> = {};
const log = (line: string) =>
  console.error(`[eval ${((performance.now() - started) / 1000).toFixed(0)}s] ${line}`);
async function stage<T>(name: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  log(`${name}…`);
  try {
    return await work();
  } finally {
    stageSeconds[name] = Math.round((performance.now() - t0) / 100) / 10;
  }
}

const dir = corpus.corpusDir();
if (!corpus.corpusPresent(dir)) {
  console.error(`corpus not found at ${dir} (set SILENTID_DATA_DIR)`);
  process.exit(2);
}
const git = gitState(repoRoot);
// Every clip searched for a later blink, so that each fold's refitted constants see the
// blink it would show under any calibration (decision 0028); the shipped decisions are the
// same as with the service's default, which searches only where a blink could pass a clip.
const config = loadConfig({ VIDEO_BLINK_SEARCH: 'always', ...process.env });
const models = await loadFaceModels(
  await loadBundleManifest(config.modelBundleDir),
  config.runtime,
);
// liveness-more/ keeps its own MANIFEST (bona fide clips from new sources, deepfakes).
const manifest = [...corpus.readManifest(dir), ...corpus.readSubManifest('liveness-more', dir)];
const byFile = new Map(manifest.map((f) => [f.file, f]));
const scratch = await scratchDir();

try {
  // --- Verification ---------------------------------------------------------------
  const built = buildPairSets(manifest, corpus.readPairs(dir));
  // --quick keeps every fourth pair: enough to exercise every path.
  const sets: PairSet[] = quick
    ? built.sets.map((s) => ({ ...s, pairs: s.pairs.filter((_, i) => i % 4 === 0) }))
    : built.sets;
  const files = filesOf(sets).map(
    (f): CorpusFile =>
      byFile.get(f) ?? { file: f, source: '', kind: 'photo', identity: '', notes: '' },
  );

  const ours = await stage('verification: ours', async () => {
    const t0 = performance.now();
    const results = await photoTemplates(models, dir, files);
    const enc = new Map<string, FaceTemplate | undefined>(
      [...results].map(([f, r]) => [f, r.ok ? r.template : undefined]),
    );
    return { enc, ms: (performance.now() - t0) / files.length };
  });
  const bundle = models.bundle;
  const pipelines: PipelineVerification[] = [];
  const encodings: ReadonlyMap<string, unknown>[] = [ours.enc];
  const { matcher } = models;
  const pipelineText = `this project's analysePhoto (detector, 68 landmarks, 5-point ArcFace alignment, 512-d embedding${matcher.fused ? '; dlib ResNet 128-d descriptor on the face-api crop of the same landmarks' : ''})`;
  const oursSpec = {
    name: `silentid (${bundle.id})`,
    description: `${pipelineText}; verification_score from the bundle's knots`,
    score: matcher.fused ? 'mean impostor z-score of both models' : 'cosine',
    compare: (a: FaceTemplate, b: FaceTemplate) => matcher.similarity(a, b),
    msPerPhoto: ours.ms,
  };
  pipelines.push(
    measure(oursSpec, ours.enc, sets, bundle.manifest.calibration.verification.points),
  );
  if (matcher.fused) {
    // Each model of the fusion alone, on the same faces: what the fusion adds.
    const variants = [
      {
        name: `silentid (${bundle.id}): embedder alone`,
        description: `the fused bundle's ArcFace embedding alone, on the same faces (the time is the whole fused pipeline's)`,
        score: 'cosine',
        compare: (a: FaceTemplate, b: FaceTemplate) => cosine(a.embedding, b.embedding),
      },
      {
        name: `silentid (${bundle.id}): descriptor alone`,
        description: `the fused bundle's dlib descriptor alone, on the same faces (the time is the whole fused pipeline's)`,
        score: '−euclidean distance',
        compare: (a: FaceTemplate, b: FaceTemplate) => -euclidean(a.descriptor!, b.descriptor!),
      },
    ];
    for (const v of variants)
      pipelines.push(measure({ ...v, msPerPhoto: ours.ms }, ours.enc, sets));
  }

  const unavailable: UnavailablePeer[] = [];
  let human: HumanPeer | undefined;
  const peerRuns: {
    spec: PeerEncoder<unknown> & { msPerPhoto: number };
    enc: Map<string, unknown>;
  }[] = [];
  if (options.peers) {
    for (const [name, load] of [
      ['face-api', loadFaceApi],
      ['human', loadHuman],
    ] as const) {
      await stage(`verification: ${name}`, async () => {
        try {
          const peer = (await load()) as PeerEncoder<unknown>;
          if (name === 'human') human = peer as HumanPeer;
          const t0 = performance.now();
          const enc = new Map<string, unknown>();
          for (const f of files)
            enc.set(f.file, await peer.encode(path.join(dir, f.file)).catch(() => undefined));
          const spec = { ...peer, msPerPhoto: (performance.now() - t0) / files.length };
          peerRuns.push({ spec, enc });
          pipelines.push(measure(spec, enc, sets));
          encodings.push(enc);
        } catch (err) {
          unavailable.push({ name, reason: err instanceof Error ? err.message : String(err) });
          log(`${name} unavailable: ${String(err)}`);
        }
      });
    }
  } else {
    unavailable.push({ name: 'face-api, human', reason: 'not run (--no-peers)' });
  }
  const fair = [sets[1]!, sets[3]!].map((s) => commonPairs(s, encodings));
  const common = [
    measure(oursSpec, ours.enc, fair),
    ...peerRuns.map((r) => measure(r.spec, r.enc, fair)),
  ];

  // --- Occlusion and auto_rotate -------------------------------------------------------
  const occlusion = await stage('occlusion', () => measureOcclusion(models, config, dir, manifest));
  const rotationPhotos = manifest
    .filter((f) => f.kind === 'photo')
    .slice(0, quick ? 10 : undefined);
  const autoRotate = await stage('auto_rotate', () =>
    measureAutoRotate(models, config, dir, rotationPhotos),
  );

  // --- Liveness -------------------------------------------------------------------------
  const presentations = buildPresentations(manifest, dir, {
    movingPerPhoto: options.movingPerPhoto,
    warpedPerPhoto: options.warpedPerPhoto,
    ...(quick ? { photoLimit: 6 } : {}),
  });
  // The human peer's per-frame models see the same picture whatever its motion; on 2 cores
  // it scores the videos, the recaptures and each photo's static clip, unless asked for all.
  const humanFor = (p: Presentation) =>
    options.humanAllClips ||
    (p.species !== 'still-photo' && p.species !== 'warped-photo') ||
    p.motion === 'static';
  const photoFile =
    manifest.find((f) => f.file.endsWith('face_recognition/obama.jpg')) ??
    manifest.find((f) => f.kind === 'photo')!;
  const photo = await readFile(path.join(dir, photoFile.file));
  const results = await stage('liveness', () =>
    runPresentations(
      {
        models,
        config,
        photo,
        scratch: scratch.dir,
        ...(human === undefined ? {} : { human }),
        humanFor,
        humanFrames: options.humanFrames,
        log,
      },
      presentations,
    ),
  );
  const cueResearch = await stage('cues not fused', () =>
    measureCues(models, config, dir, manifest, scratch.dir),
  );
  const threshold = config.livenessThreshold ?? bundle.manifest.calibration.liveness.threshold;
  const summary = summariseLiveness(results, threshold);
  const loso = losoReport(
    results.filter((r) => r.species !== 'multi-face-video'),
    bundle.manifest.calibration.liveness,
    threshold,
  );

  const report: EvalReport = {
    run: {
      date: new Date().toISOString(),
      ...git,
      bundle: bundle.id,
      machine: machine(),
      dataDir: dir,
      quick,
      options,
      wallSeconds: Math.round((performance.now() - started) / 1000),
      stageSeconds,
    },
    verification: {
      excludedPairs: built.excluded,
      pipelines,
      common,
      unavailable,
      targets: verificationTargets(pipelines),
      failureToAcquire: failureToAcquire(files, ours.enc),
    },
    liveness: {
      summary,
      humanScope:
        human === undefined
          ? 'not run'
          : `${options.humanFrames} evenly spaced frames of the frames our pipeline samples; videos, recaptured pictures and ${options.humanAllClips ? 'every still-photo clip' : "each photo's static clip"}`,
      presentations: results,
      cueResearch,
      loso,
    },
    occlusion,
    autoRotate,
  };
  await mkdir(args.out, { recursive: true });
  await writeFile(
    path.join(args.out, 'report.json'),
    `${JSON.stringify(report, jsonNumbers, 1)}\n`,
  );
  await writeFile(path.join(args.out, 'report.md'), renderMarkdown(report));
  log(`wrote ${path.join(args.out, 'report.md')} and report.json in ${report.run.wallSeconds}s`);
} finally {
  await models.release();
  await scratch.remove();
}

/** Per MANIFEST source: the photos of the verification pairs in which no face was found. */
function failureToAcquire(
  files: readonly CorpusFile[],
  templates: ReadonlyMap<string, unknown>,
): FailureToAcquire[] {
  const bySource = new Map<string, CorpusFile[]>();
  for (const f of files) bySource.set(f.source, [...(bySource.get(f.source) ?? []), f]);
  return [...bySource]
    .map(([source, fs]) => {
      const noFace = fs.filter((f) => templates.get(f.file) === undefined).map((f) => f.file);
      return { source, photos: fs.length, noFace, ci95: wilson(noFace.length, fs.length) };
    })
    .sort((a, b) => a.source.localeCompare(b.source));
}

/**
 * JSON has no ±Infinity or NaN: a detection failure's -Infinity is written as the string
 * "-Infinity". Six significant digits are more than any figure here supports and keep
 * the file diffable.
 */
function jsonNumbers(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : String(v);
}
