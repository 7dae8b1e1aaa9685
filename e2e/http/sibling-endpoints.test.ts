/**
 * The two halves of the main endpoint, alone, as the vendor's API family offers them, on
 * what only the corpus has: a live person's video, two photos of one person, a real
 * occluded face. Their codes, errors and an injected still run on every clone in
 * contract.test.ts. Without the corpus, every test here is reported as skipped, with
 * the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { corpusFile, corpusSkip } from '../support/corpus.js';
import { expectError, IMAGES_PATH, LIVENESS_PATH, postForm, seal } from '../support/http.js';
import { grabFrame, scratchDir } from '../support/media-tools.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';

const LIVE_VIDEO = 'KwaiVGI__LivePortrait/driving_d0.mp4';
const OBAMA = 'ageitgey__face_recognition/obama.jpg';

let svc: VerifierProcess;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
const read = (rel: string) => readFile(corpusFile(rel));

describe('sibling endpoints on the corpus', () => {
  before(async () => {
    if (corpusSkip) return; // every test below is reported skipped, with the reason
    scratch = await scratchDir();
    svc = await startVerifierProcess();
  });
  after(async () => {
    if (corpusSkip) return;
    assert.equal(await svc?.stop(), 0);
    await scratch?.remove();
  });

  test('liveness alone: a live video passes with its frame', { skip: corpusSkip }, async () => {
    const live = await postForm(
      svc.url,
      {
        encrypted_video: seal(await read(LIVE_VIDEO)),
        return_status: 'true',
        return_image: '1',
        return_face_image: '1',
      },
      LIVENESS_PATH,
    );
    assert.equal(live.status, 200, JSON.stringify(live.json));
    assert.equal(live.json.passed, true);
    assert.equal(live.json.liveness_status, 'ok');
    assert.equal(live.json.liveness_details, undefined, 'return_details is off by default');
    assert.equal(live.json.verification_score, undefined);
    assert.equal(
      (await sharp(Buffer.from(live.json.base64_face_image as string, 'base64')).metadata()).format,
      'jpeg',
    );
    assert.equal(typeof live.json.image_timestamp, 'number');
    assert.equal(live.headers['x-model-version'], 'faceplugin-dlib@1.3.0');
  });

  test(
    'two photos: same person high, different people low, calibrated as the main endpoint',
    { skip: corpusSkip },
    async () => {
      const video = corpusFile('KwaiVGI__LivePortrait/driving_d3.mp4');
      // Two frames 8 s apart of one recording: the same person (an easy pair, said so).
      const a = await grabFrame(video, path.join(scratch.dir, 'a.jpg'), 1);
      const b = await grabFrame(video, path.join(scratch.dir, 'b.jpg'), 9);
      const same = await postForm(
        svc.url,
        {
          first_encrypted_image: seal(await readFile(a)),
          second_encrypted_image: seal(await readFile(b)),
        },
        IMAGES_PATH,
      );
      assert.equal(same.status, 200, JSON.stringify(same.json));
      assert.deepEqual(Object.keys(same.json).sort(), ['code', 'request_id', 'verification_score']);
      // Above the table's 1-in-1,000 point. Not 0.7: this pair (8 s of talking apart) scores
      // 0.74 with faceplugin@1.0.0 and 0.69 with the fused bundle, whose tail calibration is
      // stricter; TAR at 0.7 on the corpus is measured by `npm run eval`, not here.
      assert.ok((same.json.verification_score as number) > 0.6, JSON.stringify(same.json));
      const other = await postForm(
        svc.url,
        {
          first_encrypted_image: seal(await readFile(a)),
          second_encrypted_image: seal(await read(OBAMA)),
        },
        IMAGES_PATH,
      );
      assert.ok((other.json.verification_score as number) < 0.5, JSON.stringify(other.json));
    },
  );

  test(
    'two photos: an occluded face with check_quality is 4004 naming its field',
    { skip: corpusSkip },
    async () => {
      const masked = seal(await read('chandrikadeb7__Face-Mask-Detection/with_mask_0417.jpg'));
      expectError(
        await postForm(
          svc.url,
          {
            first_encrypted_image: seal(await read(OBAMA)),
            second_encrypted_image: masked,
            check_quality: 'true',
          },
          IMAGES_PATH,
        ),
        400,
        4004,
        /^second_encrypted_image: the face in the photo is occluded/,
      );
    },
  );
});
