/**
 * Media for the suites that run on every clone, with no corpus: the real face photos
 * shipped inside the npm dev-dependency @vladmandic/face-api (group photos; the service
 * takes the most prominent face), and videos made from them with ffmpeg at test time.
 * A still photo turned into a video is an attack clip (image injection), never a live
 * person: a live video needs the corpus.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { samplePhoto } from '../../services/verifier/src/testing/sample-faces.js';
import { scratchDir, stillPhotoVideo, testPattern } from './media-tools.js';

export { samplePhoto };

/** Samples 2 and 5 show different people (their most prominent faces score ~0.34). */
export const PERSON = 2;
export const OTHER_PERSON = 5;

type Sample = 1 | 2 | 3 | 4 | 5 | 6;

/** Builds each clip at most once per suite, in a scratch folder removed by `remove()`. */
export class SampleMedia {
  private readonly made = new Map<string, Promise<string>>();

  private constructor(
    readonly dir: string,
    readonly remove: () => Promise<void>,
  ) {}

  static async create(): Promise<SampleMedia> {
    const { dir, remove } = await scratchDir('silentid-e2e-samples-');
    return new SampleMedia(dir, remove);
  }

  /** The bytes of sample photo `n`. */
  photo(n: Sample = PERSON): Promise<Buffer> {
    return readFile(samplePhoto(n));
  }

  /** Sample `n` as a `seconds`-long 25 fps H.264 video, still or with a slow zoom and pan. */
  stillVideoFile(n: Sample = PERSON, seconds = 3, motion = false): Promise<string> {
    const name = `still-${n}-${seconds}s${motion ? '-zoom' : ''}.mp4`;
    return this.once(name, (out) => stillPhotoVideo(samplePhoto(n), out, seconds, motion));
  }

  async stillVideo(n: Sample = PERSON, seconds = 3, motion = false): Promise<Buffer> {
    return readFile(await this.stillVideoFile(n, seconds, motion));
  }

  /** ffmpeg's test pattern (no face) of the given size and length. */
  async pattern(width: number, height: number, seconds: number): Promise<Buffer> {
    const name = `pattern-${width}x${height}-${seconds}s.mp4`;
    return readFile(await this.once(name, (out) => testPattern(out, width, height, seconds)));
  }

  /** A file of the scratch folder, for a test's own derived media. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  private once(name: string, make: (out: string) => Promise<string>): Promise<string> {
    let file = this.made.get(name);
    if (file === undefined) {
      file = make(this.file(name));
      this.made.set(name, file);
    }
    return file;
  }
}
