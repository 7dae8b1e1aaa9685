/**
 * The HTTP contract on every clone, with no corpus: the real verifier with the real
 * built-in bundle over a real listener, driven by the face photos shipped in the npm
 * package @vladmandic/face-api and videos made from them with ffmpeg at test time.
 * Codes, limits, encryption, content types, methods, the answers' shapes; a still photo
 * turned into a video is an attack and must be rejected. A live person's video needs the
 * corpus (verification.test.ts), so no test here expects `passed: true`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import {
  expectError,
  IMAGES_PATH,
  LIVENESS_PATH,
  postForm,
  postMultipart,
  rawRequest,
  rawSocket,
  seal,
  VERIFY_PATH,
  type Reply,
} from '../support/http.js';
import { ffmpegRun, stillPhotoVideo } from '../support/media-tools.js';
import { OTHER_PERSON, SampleMedia, samplePhoto } from '../support/sample-media.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';
import { waitFor } from '../support/wait.js';

/** `liveness_details` of a response with return_details=true. */
interface LivenessDetails {
  threshold: number;
  sampled_frames: number;
  tracked_frames: number;
  cues: Record<
    'non_planar_motion' | 'blink' | 'presentation_attack',
    { value: number; evidence: number }
  >;
  decided_by: 'non_planar_motion' | 'blink' | 'presentation_attack';
  conditions: { face_brightness: number; face_size_px: number; face_cut_by_frame: number };
  hints: string[];
}

let svc: VerifierProcess;
let media: SampleMedia;
let modelVersion: string;

async function verify(
  photo: Uint8Array,
  video: Uint8Array,
  extra: Record<string, string> = {},
): Promise<Reply> {
  return postForm(svc.url, {
    encrypted_image: seal(photo),
    encrypted_video: seal(video),
    return_status: 'true',
    ...extra,
  });
}

/** A 200 answer that rejected the video as an attack, with the fields the seed allows then. */
function expectHack(r: Reply): void {
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.code, 1000);
  assert.equal(r.json.passed, false, JSON.stringify(r.json));
  assert.equal(r.json.liveness_status, 'hack', JSON.stringify(r.json));
  const score = r.json.liveness_score as number;
  assert.ok(score >= 0 && score <= 1, JSON.stringify(r.json));
  for (const absent of [
    'verification_score',
    'image_timestamp',
    'base64_image',
    'base64_face_image',
  ])
    assert.equal(r.json[absent], undefined, `${absent} without passed: ${JSON.stringify(r.json)}`);
}

/** A photo with nothing like a face in it: a smooth grey gradient. */
const facelessPhoto = () =>
  sharp(Buffer.from(Array.from({ length: 320 * 240 }, (_, i) => (i % 320) * 0.6 + 40)), {
    raw: { width: 320, height: 240, channels: 1 },
  })
    .jpeg()
    .toBuffer();

describe('HTTP contract on generated media (every clone, no corpus)', () => {
  before(async () => {
    media = await SampleMedia.create();
    svc = await startVerifierProcess({ MAX_QUEUED_REQUESTS: '32' });
    const ready = await rawRequest(svc.url, { method: 'GET', path: '/readyz' });
    modelVersion = String(ready.json.model_version);
  });
  after(async () => {
    const code = await svc?.stop();
    await media?.remove();
    assert.equal(code, 0, 'SIGTERM exits 0');
  });

  test('a still photo turned into a video is rejected as an attack: 200, passed false, and the answer’s exact shape', async () => {
    const photo = await media.photo();
    const video = await media.stillVideo();
    const r = await verify(photo, video, { return_image: 'true', return_face_image: 'true' });
    expectHack(r);
    assert.deepEqual(Object.keys(r.json).sort(), [
      'code',
      'liveness_score',
      'liveness_status',
      'passed',
      'request_id',
    ]);
    assert.match(
      String(r.headers['server-timing']),
      /decrypt;dur=.*decode;dur=.*liveness;dur=.*total;dur=/,
    );
    assert.equal(r.headers['x-model-version'], modelVersion);
    assert.equal(r.headers['x-request-id'], r.json.request_id);
    // liveness_status only with return_status; liveness_details only with return_details.
    const plain = await postForm(svc.url, {
      encrypted_image: seal(photo),
      encrypted_video: seal(video),
    });
    assert.equal(plain.status, 200, JSON.stringify(plain.json));
    assert.deepEqual(Object.keys(plain.json).sort(), [
      'code',
      'liveness_score',
      'passed',
      'request_id',
    ]);
    assert.equal(plain.json.passed, false);
  });

  test('image injection, static and with a slow zoom: the details say why it is a hack', async () => {
    const photo = await media.photo();
    for (const motion of [false, true]) {
      const r = await verify(photo, await media.stillVideo(undefined, 3, motion), {
        return_details: 'true',
      });
      expectHack(r);
      // A flat picture has no motion beyond the jitter floor and no blink, and the score
      // is the fusion of the cues it shows.
      const d = r.json.liveness_details as LivenessDetails;
      assert.ok(d.threshold > 0 && d.threshold < 1, JSON.stringify(d));
      assert.ok(d.tracked_frames >= 4 && d.tracked_frames <= d.sampled_frames, JSON.stringify(d));
      const { non_planar_motion: m, blink: b, presentation_attack: p } = d.cues;
      assert.ok(m.evidence < 0.5 && b.evidence < 0.5, `motion=${motion}: ${JSON.stringify(d)}`);
      const fused = Math.min(Math.max(m.evidence, b.evidence), p.evidence);
      assert.ok(Math.abs(fused - (r.json.liveness_score as number)) < 1e-3, JSON.stringify(r.json));
      assert.ok((r.json.liveness_score as number) < d.threshold, JSON.stringify(r.json));
      // What the person could change: the sample photo is well lit and large, and did not move.
      assert.deepEqual(d.hints, ['too_still'], JSON.stringify(d));
      // The score is the stronger of the two "is it moving?" answers, which fell short.
      assert.ok(['non_planar_motion', 'blink'].includes(d.decided_by), JSON.stringify(d));
      assert.ok(
        d.conditions.face_brightness > 70 && d.conditions.face_size_px >= 16,
        JSON.stringify(d),
      );
      assert.equal(d.conditions.face_cut_by_frame, 0, JSON.stringify(d));
    }
  });

  test('a face cut by the frame below the nose: the hints say to keep it in the picture', async () => {
    // Sample 6's subject (face-api 1.7.15's demo photo), the picture cut just under its nose.
    const cut = media.file('cut-6.jpg');
    await sharp(samplePhoto(6))
      .extract({ left: 1372, top: 113, width: 435, height: 354 })
      .toFile(cut);
    const video = await stillPhotoVideo(cut, media.file('cut-6.mp4'), 3, false);
    const r = await verify(await media.photo(), await readFile(video), { return_details: 'true' });
    expectHack(r);
    const d = r.json.liveness_details as LivenessDetails;
    assert.equal(d.conditions.face_cut_by_frame, 1, JSON.stringify(d));
    assert.deepEqual(d.hints, ['too_still', 'face_cut_off'], JSON.stringify(d));
  });

  test('short_time: a 1-s video answers 200 with passed false, and no score or frame', async () => {
    const r = await verify(await media.photo(), await media.stillVideo(undefined, 1), {
      return_image: 'true',
      return_details: 'true',
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.code, 1000);
    assert.equal(r.json.passed, false);
    assert.equal(r.json.liveness_status, 'short_time');
    assert.equal(r.json.verification_score, undefined);
    assert.equal(r.json.base64_image, undefined);
    assert.equal(r.json.liveness_details, undefined, 'no cues are measured for short_time');
  });

  test('4000: no face in the photo; 4007: no face in the video', async () => {
    const video = await media.stillVideo();
    expectError(await verify(await facelessPhoto(), video), 400, 4000, /encrypted_image/);
    expectError(
      await verify(await media.photo(), await media.pattern(320, 240, 3)),
      400,
      4007,
      /encrypted_video/,
    );
  });

  test('1200: missing, empty, bad Base64, bad boolean, video over 60 s', async () => {
    const photo = seal(await media.photo());
    const video = seal(await media.stillVideo());
    expectError(
      await postForm(svc.url, { encrypted_image: photo }),
      400,
      1200,
      /encrypted_video is required/,
    );
    expectError(
      await postForm(svc.url, { encrypted_image: '', encrypted_video: video }),
      400,
      1200,
      /encrypted_image is empty/,
    );
    expectError(
      await postForm(svc.url, { encrypted_image: 'not*base64', encrypted_video: video }),
      400,
      1200,
      /encrypted_image is not valid Base64/,
    );
    for (const field of ['auto_rotate', 'check_quality', 'return_status']) {
      expectError(
        await postForm(svc.url, { encrypted_image: photo, encrypted_video: video, [field]: 'yes' }),
        400,
        1200,
        new RegExp(field),
      );
    }
    expectError(
      await postForm(svc.url, {
        encrypted_image: photo,
        encrypted_video: seal(await media.pattern(96, 96, 61)),
      }),
      400,
      1200,
      /longer/,
    );
  });

  test('encryption: a wrong key or nonce, altered or truncated data are 1200 naming the field; line breaks are ignored', async () => {
    const photoBytes = await media.photo();
    const photo = seal(photoBytes);
    const video = seal(await media.stillVideo());
    const undecryptable = /could not be decrypted/;
    const wrongKey = seal(photoBytes, 'k'.repeat(32));
    const wrongNonce = seal(photoBytes, undefined, 'n'.repeat(12));
    for (const bad of [wrongKey, wrongNonce]) {
      expectError(
        await postForm(svc.url, { encrypted_image: bad, encrypted_video: video }),
        400,
        1200,
        /^encrypted_image could not be decrypted/,
      );
    }
    const altered = Buffer.from(video, 'base64');
    altered[altered.length >> 1]! ^= 0x01;
    expectError(
      await postForm(svc.url, {
        encrypted_image: photo,
        encrypted_video: altered.toString('base64'),
      }),
      400,
      1200,
      /^encrypted_video could not be decrypted/,
    );
    const truncated = Buffer.from(photo, 'base64').subarray(0, 4096).toString('base64');
    expectError(
      await postForm(svc.url, { encrypted_image: truncated, encrypted_video: video }),
      400,
      1200,
      undecryptable,
    );
    // Base64 wrapped at 76 columns, as MIME encoders and `base64` write it.
    const wrapped = (b64: string) => b64.replace(/.{76}/g, '$&\r\n');
    const r = await postForm(svc.url, {
      encrypted_image: wrapped(photo),
      encrypted_video: wrapped(video),
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  });

  test('2003: photo and frame sizes outside the limits', async () => {
    const video = await media.stillVideo();
    const tiny = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#888' } })
      .png()
      .toBuffer();
    expectError(await verify(tiny, video), 400, 2003, /encrypted_image/);
    // A 30000×30000 PNG header on a tiny file: refused from the header alone.
    const huge = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
      .png()
      .toBuffer();
    huge.writeUInt32BE(30000, 16);
    huge.writeUInt32BE(30000, 20);
    expectError(await verify(huge, video), 400, 2003, /encrypted_image/);
    expectError(
      await verify(await media.photo(), await media.pattern(48, 48, 3)),
      400,
      2003,
      /encrypted_video/,
    );
  });

  test('2004: a decrypted photo over 8 MiB or video over 32 MiB; 413 for a body over 48 MiB', async () => {
    expectError(
      await verify(Buffer.alloc(8 * 1024 * 1024 + 1, 1), await media.stillVideo()),
      400,
      2004,
      /encrypted_image/,
    );
    expectError(
      await verify(await media.photo(), Buffer.alloc(32 * 1024 * 1024 + 1, 1)),
      400,
      2004,
      /encrypted_video/,
    );
    // Declares 200 MB and sends almost nothing: refused at once, never buffered.
    const r = await rawRequest(svc.url, {
      method: 'POST',
      path: VERIFY_PATH,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': 200 * 1024 * 1024,
      },
      body: 'encrypted_image=',
      endEarly: true,
    });
    expectError(r, 413, 2004);
  });

  test('2005: undecodable photo and video, a truncated video, and one with no video stream', async () => {
    const photo = await media.photo();
    const video = await media.stillVideo();
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));
    expectError(await verify(random, video), 400, 2005, /image/);
    expectError(await verify(photo, random), 400, 2005, /video/);
    // ffmpeg writes the index (moov) last: the first half of the file has none.
    expectError(await verify(photo, video.subarray(0, video.length >> 1)), 400, 2005, /video/);
    const audioOnly = media.file('tone.mp4');
    await ffmpegRun([
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-t',
      '3',
      '-c:a',
      'aac',
      audioOnly,
    ]);
    expectError(await verify(photo, await readFile(audioOnly)), 400, 2005, /video/);
  });

  test('content types: multipart with fields as text or as file parts', async () => {
    const r = await postMultipart(svc.url, {
      encrypted_image: seal(await media.photo()),
      encrypted_video: new Blob([seal(await media.stillVideo())]),
      return_status: 'TRUE',
    });
    expectHack(r);
    expectError(
      await postMultipart(svc.url, { encrypted_video: new Blob([seal(await media.stillVideo())]) }),
      400,
      1200,
      /encrypted_image is required/,
    );
  });

  test("content types: curl -d without --data-urlencode, whose '+' arrives as a space, still decrypts", async () => {
    const photo = seal(await media.photo());
    const video = seal(await media.stillVideo());
    assert.ok(photo.includes('+') && video.includes('+'));
    // Written raw, not urlencoded: the form decoder turns every '+' into a space.
    const body = `encrypted_image=${photo.replace(/=/g, '%3D')}&encrypted_video=${video.replace(/=/g, '%3D')}&return_status=1`;
    const r = await rawRequest(svc.url, {
      method: 'POST',
      path: VERIFY_PATH,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
      body,
    });
    expectHack(r);
  });

  test('content types: a body that is not a form is 1200', async () => {
    const json = JSON.stringify({ encrypted_image: 'x', encrypted_video: 'y' });
    for (const type of ['application/json', 'text/plain', undefined]) {
      for (const path of [VERIFY_PATH, LIVENESS_PATH, IMAGES_PATH]) {
        const r = await rawRequest(svc.url, {
          method: 'POST',
          path,
          headers: {
            ...(type === undefined ? {} : { 'content-type': type }),
            'content-length': Buffer.byteLength(json),
          },
          body: json,
        });
        expectError(r, 400, 1200, /form/);
      }
    }
  });

  test('methods and paths: 404 for an unknown path, 405 for a wrong method, 411 without a length', async () => {
    expectError(await rawRequest(svc.url, { method: 'GET', path: '/nope' }), 404, 1200);
    expectError(await rawRequest(svc.url, { method: 'POST', path: '/identity' }), 404, 1200);
    for (const path of [VERIFY_PATH, LIVENESS_PATH, IMAGES_PATH]) {
      for (const method of ['GET', 'PUT', 'DELETE'])
        expectError(await rawRequest(svc.url, { method, path }), 405, 1200, /not allowed/);
      const noLength = await rawSocket(
        svc.url,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n`,
      );
      assert.match(noLength, /^HTTP\/1\.1 411 /);
      assert.match(noLength, /"code":1200/);
    }
    expectError(
      await rawRequest(svc.url, {
        method: 'POST',
        path: '/healthz',
        headers: { 'content-length': 0 },
      }),
      405,
      1200,
    );
  });

  test('an incoming X-Request-Id is honoured when sane and replaced when not', async () => {
    const sane = await rawRequest(svc.url, {
      method: 'GET',
      path: '/healthz',
      headers: { 'x-request-id': 'abc-123' },
    });
    assert.equal(sane.headers['x-request-id'], 'abc-123');
    const insane = await rawRequest(svc.url, {
      method: 'GET',
      path: '/healthz',
      headers: { 'x-request-id': 'a b<script>' },
    });
    assert.notEqual(insane.headers['x-request-id'], 'a b<script>');
    const error = await postForm(svc.url, {}, VERIFY_PATH);
    assert.equal(error.headers['x-request-id'], error.json.request_id);
  });

  test('liveness alone: a still photo clip is a hack, with details on request and no frame', async () => {
    const r = await postForm(
      svc.url,
      {
        encrypted_video: seal(await media.stillVideo(undefined, 3, true)),
        return_status: 'true',
        return_image: 'true',
        return_face_image: 'true',
        return_details: 'true',
      },
      LIVENESS_PATH,
    );
    expectHack(r);
    assert.ok(r.json.liveness_details !== undefined, 'the liveness endpoint has details too');
    assert.equal(r.headers['x-model-version'], modelVersion);
  });

  test('liveness alone: its own errors name encrypted_video', async () => {
    expectError(
      await postForm(svc.url, {}, LIVENESS_PATH),
      400,
      1200,
      /encrypted_video is required/,
    );
    expectError(
      await postForm(
        svc.url,
        { encrypted_video: seal(Buffer.from('not a video at all')) },
        LIVENESS_PATH,
      ),
      400,
      2005,
      /^encrypted_video: /,
    );
    expectError(
      await postForm(
        svc.url,
        { encrypted_video: seal(await media.pattern(320, 240, 3)) },
        LIVENESS_PATH,
      ),
      400,
      4007,
      /^encrypted_video: /,
    );
  });

  test('two photos: the same face scores high, recompressed or not; another person scores low', async () => {
    const photo = await media.photo();
    const compare = (a: Uint8Array, b: Uint8Array) =>
      postForm(
        svc.url,
        { first_encrypted_image: seal(a), second_encrypted_image: seal(b) },
        IMAGES_PATH,
      );
    const same = await compare(photo, photo);
    assert.equal(same.status, 200, JSON.stringify(same.json));
    assert.deepEqual(Object.keys(same.json).sort(), ['code', 'request_id', 'verification_score']);
    assert.equal(same.json.code, 1000);
    assert.ok((same.json.verification_score as number) > 0.99, JSON.stringify(same.json));
    assert.equal(same.headers['x-model-version'], modelVersion);
    // A third of the size, heavily recompressed: another image of the same face, above
    // the seed's 1-in-10,000 point. (Two photos of one person are the corpus's job.)
    const smaller = await sharp(photo).resize(640).jpeg({ quality: 50 }).toBuffer();
    const recompressed = await compare(photo, smaller);
    assert.ok(
      (recompressed.json.verification_score as number) > 0.7,
      JSON.stringify(recompressed.json),
    );
    const other = await compare(photo, await media.photo(OTHER_PERSON));
    assert.equal(other.status, 200, JSON.stringify(other.json));
    const score = other.json.verification_score as number;
    assert.ok(score >= 0 && score < 0.5, JSON.stringify(other.json));
  });

  test('two photos: each error names its field, the first field first', async () => {
    const face = seal(await media.photo());
    const noFace = seal(await facelessPhoto());
    expectError(
      await postForm(svc.url, { first_encrypted_image: face }, IMAGES_PATH),
      400,
      1200,
      /second_encrypted_image is required/,
    );
    expectError(
      await postForm(
        svc.url,
        { first_encrypted_image: face, second_encrypted_image: noFace },
        IMAGES_PATH,
      ),
      400,
      4000,
      /^second_encrypted_image: no face/,
    );
    expectError(
      await postForm(
        svc.url,
        { first_encrypted_image: noFace, second_encrypted_image: noFace },
        IMAGES_PATH,
      ),
      400,
      4000,
      /^first_encrypted_image: /,
    );
    expectError(
      await postForm(
        svc.url,
        {
          first_encrypted_image: face,
          second_encrypted_image: seal(await media.photo(), 'k'.repeat(32)),
        },
        IMAGES_PATH,
      ),
      400,
      1200,
      /^second_encrypted_image could not be decrypted/,
    );
  });

  test('8 concurrent requests all succeed, each with its own request id', async () => {
    const photo = await media.photo();
    const video = await media.stillVideo();
    const replies = await Promise.all(Array.from({ length: 8 }, () => verify(photo, video)));
    for (const r of replies) expectHack(r);
    assert.equal(new Set(replies.map((r) => r.json.request_id)).size, 8);
  });

  test('operations: /healthz, /readyz with the bundle, /metrics, /openapi.json, /docs', async () => {
    expectHack(await verify(await media.photo(), await media.stillVideo()));
    expectError(await rawRequest(svc.url, { method: 'GET', path: '/nope' }), 404, 1200);
    assert.equal((await rawRequest(svc.url, { method: 'GET', path: '/healthz' })).status, 200);
    const ready = await rawRequest(svc.url, { method: 'GET', path: '/readyz' });
    assert.equal(ready.status, 200);
    assert.match(modelVersion, /^[\w.-]+@[\w.-]+$/);
    const metrics = await (await fetch(new URL('/metrics', svc.url))).text();
    assert.ok(
      metrics.includes(
        `silentid_requests_total{route="${VERIFY_PATH}",code="1000",model_version="${modelVersion}"}`,
      ),
    );
    assert.match(metrics, /silentid_requests_total\{route="other",code="1200",[^}]*\} [1-9]/);
    assert.match(metrics, /silentid_stage_duration_seconds_bucket\{le="[^"]+",stage="liveness"/);
    assert.match(metrics, /silentid_inflight_requests 0/);
    const spec = (await (await fetch(new URL('/openapi.json', svc.url))).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [VERIFY_PATH, LIVENESS_PATH, IMAGES_PATH]) assert.ok(spec.paths[path], path);
    assert.match(await (await fetch(new URL('/docs', svc.url))).text(), /silentid API/);
  });

  test('no biometric data in the logs; no temp file or decoder outlives its request', async () => {
    const logs = svc.logs();
    assert.doesNotMatch(logs, /encrypted_(image|video)=/);
    assert.ok(!logs.includes(seal(await media.photo()).slice(0, 64)));
    assert.ok(!logs.includes(seal(await media.stillVideo()).slice(0, 64)));
    // Every request above has been answered; its clean-up may finish just after.
    await waitFor('no temp dir and no decoder left', async () => {
      const left = [...(await svc.leftoverTempDirs()), ...svc.decoders()];
      if (left.length > 0) throw new Error(`still there: ${left.join(', ')}`);
      return true;
    });
  });
});
