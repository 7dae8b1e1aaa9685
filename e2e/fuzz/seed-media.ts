/**
 * The valid media every fuzz and soak request starts from: real corpus clips and a real
 * photo when the corpus is present, else clips made with ffmpeg from the face photos
 * shipped in @vladmandic/face-api. Two MP4 layouts (index last with an audio track,
 * index first) and a WebM (VP8, made with ffmpeg from the first clip), so that box and
 * EBML mutations both reach a decoder.
 */
import { readFile } from 'node:fs/promises';
import { corpusFile, corpusPresent } from '../support/corpus.js';
import { ffmpegRun, scratchDir, stillPhotoVideo } from '../support/media-tools.js';
import { PERSON, samplePhoto } from '../support/sample-media.js';

export interface SeedFile {
  /** Where it came from: a corpus path or how it was made. */
  readonly name: string;
  readonly bytes: Buffer;
}

export interface SeedMedia {
  readonly source: 'corpus' | 'generated';
  readonly photo: SeedFile;
  /** A second photo (the two-photo endpoint). */
  readonly otherPhoto: SeedFile;
  readonly mp4: readonly SeedFile[];
  readonly webm: readonly SeedFile[];
  /** Removes the scratch folder of the generated files. */
  remove(): Promise<void>;
}

const CORPUS = {
  photo: 'ageitgey__face_recognition/obama.jpg',
  otherPhoto: 'ageitgey__face_recognition/biden.jpg',
  /** 480×480 7.2 s H.264 + AAC, moov after mdat; a real talking head. */
  mp4: ['KwaiVGI__LivePortrait/driving_d18.mp4', 'liveness-more/bonafide/OpenTalker__DPE__s.mp4'],
};

async function webmFrom(src: string, out: string): Promise<string> {
  // 3 s, 240 px, VP8 in WebM: small and quick to decode, a real EBML tree to mutate.
  // Bit-exact, one thread, not 'realtime' (which adapts to the CPU time it gets): the
  // same bytes on every run, so that a seed replays the same requests.
  await ffmpegRun([
    ...['-i', src, '-t', '3', '-an', '-vf', 'scale=240:-2', '-c:v', 'libvpx'],
    ...['-deadline', 'good', '-cpu-used', '4', '-threads', '1', '-b:v', '300k'],
    ...['-fflags', '+bitexact', '-flags', '+bitexact', out],
  ]);
  return out;
}

export async function loadSeedMedia(prefer: 'corpus' | 'generated' = 'corpus'): Promise<SeedMedia> {
  const { dir, remove } = await scratchDir('silentid-fuzz-seeds-');
  const file = async (name: string, path: string): Promise<SeedFile> => ({
    name,
    bytes: await readFile(path),
  });
  try {
    if (prefer === 'corpus' && corpusPresent) {
      const [first] = CORPUS.mp4;
      const webm = await webmFrom(corpusFile(first!), `${dir}/seed.webm`);
      return {
        source: 'corpus',
        photo: await file(CORPUS.photo, corpusFile(CORPUS.photo)),
        otherPhoto: await file(CORPUS.otherPhoto, corpusFile(CORPUS.otherPhoto)),
        mp4: await Promise.all(CORPUS.mp4.map((m) => file(m, corpusFile(m)))),
        webm: [await file(`${first} → VP8 WebM (ffmpeg)`, webm)],
        remove,
      };
    }
    const still = await stillPhotoVideo(samplePhoto(PERSON), `${dir}/still.mp4`, 3, true);
    const faststart = `${dir}/still-faststart.mp4`;
    await ffmpegRun(['-i', still, '-c', 'copy', '-movflags', '+faststart', faststart]);
    const webm = await webmFrom(still, `${dir}/still.webm`);
    const made = `face-api sample${PERSON}.jpg`;
    return {
      source: 'generated',
      photo: await file(made, samplePhoto(PERSON)),
      otherPhoto: await file('face-api sample5.jpg', samplePhoto(5)),
      mp4: [
        await file(`${made} → 3-s zooming H.264 MP4 (ffmpeg)`, still),
        await file(`${made} → the same, index first`, faststart),
      ],
      webm: [await file(`${made} → VP8 WebM (ffmpeg)`, webm)],
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}
