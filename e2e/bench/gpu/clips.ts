/**
 * The requests every provider gets: `npm run bench`'s corpus clips where the corpus is
 * present (SILENTID_DATA_DIR; run-on-device.sh carries the few files they need), else one
 * synthetic clip made here with ffmpeg, so that the script runs on a bare GPU node too.
 */
import path from 'node:path';
import type { Config } from '../../../services/verifier/src/config/config.js';
import { corpusPresent, dataDir } from '../../support/corpus.js';
import { stillPhotoVideo } from '../../support/media-tools.js';
import { PERSON, samplePhoto } from '../../support/sample-media.js';
import { CLIPS, prepareClip, prepareFiles, type ClipId, type PreparedClip } from '../clips.js';

export interface BenchClips {
  readonly clips: PreparedClip[];
  /** Where they came from, for the report. */
  readonly source: string;
}

/**
 * The synthetic stand-in: a face-api demo photo as a 5-s video with a slow zoom and pan,
 * the photo itself as the reference. The service rightly judges it an attack (a still
 * photo), so `passed` is false and the embed stage never runs: decode, detection and
 * liveness on every sampled frame still do, which is most of a request's work.
 */
async function syntheticClip(config: Config, scratch: string): Promise<PreparedClip> {
  const photo = samplePhoto(PERSON);
  const video = await stillPhotoVideo(photo, path.join(scratch, 'synthetic-a.mp4'), 5, true);
  return prepareFiles(
    {
      id: 'a',
      wanted: 'reference: 5-s talking head',
      source: `synthetic: ${path.basename(photo)} (face-api demo) as a 5-s zoom/pan video`,
      note: 'corpus absent: a still photo turned into video, an attack clip (passed: false, no embed stage); for function, not for figures to compare with corpus runs',
    },
    video,
    { file: photo, name: path.basename(photo), note: 'the photo the video is made of' },
    config,
  );
}

export async function benchClips(
  ids: readonly ClipId[],
  config: Config,
  scratch: string,
  log: (line: string) => void,
): Promise<BenchClips> {
  if (!corpusPresent) {
    log(`corpus absent at ${dataDir}: one synthetic clip instead of (${ids.join(', ')})`);
    return { clips: [await syntheticClip(config, scratch)], source: 'synthetic (no corpus)' };
  }
  const clips: PreparedClip[] = [];
  for (const id of ids) clips.push(await prepareClip(CLIPS[id], config, scratch));
  return { clips, source: `corpus at ${dataDir}` };
}
