/**
 * The two halves of the main endpoint, alone, as the vendor's API family offers them:
 * same encryption, codes and limits.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { corpusFile, corpusSkip } from '../support/corpus.js';
import { postForm, rawRequest, seal, type Reply } from '../support/http.js';
import { grabFrame, scratchDir, stillPhotoVideo } from '../support/media-tools.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';

const LIVENESS = '/liveness/silent_detection/stateless';
const IMAGES = '/identity/image_verification/stateless';
const LIVE_VIDEO = 'KwaiVGI__LivePortrait/driving_d0.mp4';

let svc: VerifierProcess;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
const read = (rel: string) => readFile(corpusFile(rel));

function expectError(r: Reply, status: number, code: number, message: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.code, code, JSON.stringify(r.json));
  assert.match(String(r.json.message), message);
}

describe('sibling endpoints', { skip: corpusSkip }, () => {
  before(async () => {
    scratch = await scratchDir();
    svc = await startVerifierProcess();
  });
  after(async () => {
    assert.equal(await svc?.stop(), 0);
    await scratch?.remove();
  });

  test('liveness alone: a live video passes with its frame; a still photo clip is a hack', async () => {
    const live = await postForm(
      svc.url,
      {
        encrypted_video: seal(await read(LIVE_VIDEO)),
        return_status: 'true',
        return_image: '1',
        return_face_image: '1',
      },
      LIVENESS,
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
    assert.equal(live.headers['x-model-version'], 'faceplugin-dlib@1.1.0');
    const still = await stillPhotoVideo(
      corpusFile('serengil__deepface/img1.jpg'),
      path.join(scratch.dir, 'still.mp4'),
      3,
      false,
    );
    const hack = await postForm(
      svc.url,
      {
        encrypted_video: seal(await readFile(still)),
        return_status: 'true',
        return_image: 'true',
        return_details: 'true',
      },
      LIVENESS,
    );
    assert.equal(hack.json.passed, false);
    assert.ok(hack.json.liveness_details !== undefined, 'the liveness endpoint has details too');
    assert.equal(hack.json.liveness_status, 'hack');
    assert.equal(hack.json.base64_image, undefined);
  });

  test('liveness alone: its own errors name encrypted_video', async () => {
    expectError(await postForm(svc.url, {}, LIVENESS), 400, 1200, /encrypted_video is required/);
    expectError(
      await postForm(
        svc.url,
        { encrypted_video: seal(Buffer.from('not a video at all')) },
        LIVENESS,
      ),
      400,
      2005,
      /^encrypted_video: /,
    );
    expectError(
      await rawRequest(svc.url, { method: 'GET', path: LIVENESS }),
      405,
      1200,
      /not allowed/,
    );
  });

  test('two photos: same person high, different people low, calibrated as the main endpoint', async () => {
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
      IMAGES,
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
        second_encrypted_image: seal(await read('ageitgey__face_recognition/obama.jpg')),
      },
      IMAGES,
    );
    assert.ok((other.json.verification_score as number) < 0.5, JSON.stringify(other.json));
  });

  test('two photos: each error names its field, the first field first', async () => {
    const face = seal(await read('ageitgey__face_recognition/obama.jpg'));
    const noFace = seal(
      await sharp({ create: { width: 200, height: 200, channels: 3, background: '#777' } })
        .jpeg()
        .toBuffer(),
    );
    expectError(
      await postForm(svc.url, { first_encrypted_image: face }, IMAGES),
      400,
      1200,
      /second_encrypted_image is required/,
    );
    expectError(
      await postForm(
        svc.url,
        { first_encrypted_image: face, second_encrypted_image: noFace },
        IMAGES,
      ),
      400,
      4000,
      /^second_encrypted_image: no face/,
    );
    expectError(
      await postForm(
        svc.url,
        { first_encrypted_image: noFace, second_encrypted_image: noFace },
        IMAGES,
      ),
      400,
      4000,
      /^first_encrypted_image: /,
    );
    const masked = seal(await read('chandrikadeb7__Face-Mask-Detection/with_mask_0417.jpg'));
    expectError(
      await postForm(
        svc.url,
        { first_encrypted_image: face, second_encrypted_image: masked, check_quality: 'true' },
        IMAGES,
      ),
      400,
      4004,
      /^second_encrypted_image: the face in the photo is occluded/,
    );
  });
});
