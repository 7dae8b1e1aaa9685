/**
 * The HTTP contract against the real verifier with the real built-in bundle, driven by
 * real photos and videos of ../shared/data encrypted at test time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { corpusFile, corpusSkip } from '../support/corpus.js';
import {
  postForm,
  postMultipart,
  rawRequest,
  rawSocket,
  seal,
  type Reply,
} from '../support/http.js';
import {
  cutClip,
  grabFrame,
  scratchDir,
  stillPhotoVideo,
  testPattern,
} from '../support/media-tools.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';

const PATH = '/identity/silent_image_verification/stateless';
const LIVE_VIDEO = 'KwaiVGI__LivePortrait/driving_d0.mp4'; // 512×512, 3.1 s talking head
const OTHER_PERSON = 'ageitgey__face_recognition/obama.jpg';

/** `liveness_details` of a response with return_details=true. */
interface LivenessDetails {
  threshold: number;
  sampled_frames: number;
  tracked_frames: number;
  cues: Record<
    'non_planar_motion' | 'blink' | 'presentation_attack',
    { value: number; evidence: number }
  >;
}

let svc: VerifierProcess;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
const read = (rel: string) => readFile(corpusFile(rel));
const tmp = (name: string) => path.join(scratch.dir, name);

function expectError(r: Reply, status: number, code: number, message?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.code, code, JSON.stringify(r.json));
  assert.equal(typeof r.json.message, 'string');
  assert.equal(typeof r.json.request_id, 'string');
  if (message) assert.match(String(r.json.message), message);
}

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

describe(
  'verification endpoint (real service, real bundle, real media)',
  { skip: corpusSkip },
  () => {
    before(async () => {
      scratch = await scratchDir();
      svc = await startVerifierProcess({ MAX_QUEUED_REQUESTS: '32' });
    });
    after(async () => {
      const code = await svc?.stop();
      await scratch?.remove();
      assert.equal(code, 0, 'SIGTERM exits 0');
    });

    test('a live video against a photo of a different person: passed, low verification score, headers', async () => {
      const r = await verify(await read(OTHER_PERSON), await read(LIVE_VIDEO), {
        return_image: 'true',
        return_face_image: 'true',
      });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.code, 1000);
      assert.equal(r.json.passed, true);
      assert.equal(r.json.liveness_status, 'ok');
      const score = r.json.verification_score as number;
      assert.ok(score < 0.5, `different people scored ${score}`);
      assert.ok((r.json.liveness_score as number) >= 0 && (r.json.liveness_score as number) <= 1);
      assert.equal(typeof r.json.image_timestamp, 'number');
      const frame = await sharp(Buffer.from(r.json.base64_image as string, 'base64')).metadata();
      const face = await sharp(
        Buffer.from(r.json.base64_face_image as string, 'base64'),
      ).metadata();
      assert.equal(frame.format, 'jpeg');
      assert.equal(face.format, 'jpeg');
      assert.match(
        String(r.headers['server-timing']),
        /decrypt;dur=.*decode;dur=.*liveness;dur=.*total;dur=/,
      );
      assert.equal(r.headers['x-model-version'], 'faceplugin-dlib@1.1.0');
      assert.equal(r.headers['x-request-id'], r.json.request_id);
    });

    test('same person: a photo taken from the same video outside the analysed window scores high', async () => {
      // The enrolment photo is the frame at 11 s of a 11.8-s clip; the service analyses
      // only the first 4 s. Easier than a real enrolment photo (same session, same light):
      // it shows the path works, not the accuracy, which `npm run eval` measures.
      const video = 'KwaiVGI__LivePortrait/driving_d3.mp4';
      const photo = await grabFrame(corpusFile(video), tmp('d3-frame.jpg'), 11);
      const r = await verify(await readFile(photo), await read(video));
      assert.equal(r.json.passed, true, JSON.stringify(r.json));
      assert.ok((r.json.verification_score as number) > 0.7, JSON.stringify(r.json));
    });

    test('short_time: a 1-s clip cut from a real video', async () => {
      const clip = await cutClip(corpusFile(LIVE_VIDEO), tmp('short.mp4'), 0.5, 1);
      const r = await verify(await read(OTHER_PERSON), await readFile(clip), {
        return_image: 'true',
      });
      assert.equal(r.status, 200);
      assert.equal(r.json.passed, false);
      assert.equal(r.json.liveness_status, 'short_time');
      assert.equal(r.json.verification_score, undefined);
      assert.equal(r.json.base64_image, undefined);
    });

    test('image injection: a still photo turned into a 3-s video, static and with a slow zoom, is a hack', async () => {
      const photo = corpusFile('serengil__deepface/img1.jpg');
      for (const motion of [false, true]) {
        const clip = await stillPhotoVideo(photo, tmp(`still-${motion}.mp4`), 3, motion);
        const r = await verify(await readFile(photo), await readFile(clip), {
          return_details: 'true',
        });
        assert.equal(r.status, 200, JSON.stringify(r.json));
        assert.equal(r.json.passed, false, `motion=${motion}: ${JSON.stringify(r.json)}`);
        assert.equal(r.json.liveness_status, 'hack');
        assert.equal(r.json.verification_score, undefined);
        // The details say why: a flat picture has no motion beyond the jitter floor and
        // no blink, and the score is the fusion of the cues it shows.
        const d = r.json.liveness_details as LivenessDetails;
        assert.equal(d.threshold, 0.5);
        assert.ok(d.tracked_frames >= 4 && d.tracked_frames <= d.sampled_frames);
        const { non_planar_motion: m, blink: b, presentation_attack: p } = d.cues;
        assert.ok(m.evidence < 0.5 && b.evidence < 0.5, JSON.stringify(d));
        const fused = Math.min(Math.max(m.evidence, b.evidence), p.evidence);
        assert.ok(
          Math.abs(fused - (r.json.liveness_score as number)) < 1e-3,
          JSON.stringify(r.json),
        );
      }
    });

    test('a screen replay of a live person is a hack', async () => {
      const r = await verify(
        await read(OTHER_PERSON),
        await read('liveness-extra/videos/tranvanluyt2203__face_anti_spoofing__fake.mp4'),
      );
      assert.equal(r.json.passed, false, JSON.stringify(r.json));
      assert.equal(r.json.liveness_status, 'hack');
    });

    test('a photo with no face is 4000', async () => {
      const noFace = (await readFile(corpusFile('MANIFEST.tsv'), 'utf8'))
        .split('\n')
        .find((l) => l.split('\t')[4] === 'no-face' && /\.(jpe?g|png)\t/i.test(l));
      assert.ok(noFace);
      const r = await verify(await read(noFace.split('\t')[0]!), await read(LIVE_VIDEO));
      expectError(r, 400, 4000, /encrypted_image/);
    });

    test('an occluded face with check_quality is 4004, and accepted without it', async () => {
      const masked = await read('chandrikadeb7__Face-Mask-Detection/with_mask_0417.jpg');
      expectError(
        await verify(masked, await read(LIVE_VIDEO), { check_quality: 'true' }),
        400,
        4004,
        /occluded/,
      );
      assert.equal((await verify(masked, await read(LIVE_VIDEO))).status, 200);
    });

    test('EXIF orientation is always applied; a photo rotated in its pixels needs auto_rotate', async () => {
      // The minivision photos carry EXIF orientation 6 (raw pixels sideways): with the tag
      // applied their faces are upright, with or without auto_rotate.
      for (const name of ['image_T1.jpg', 'image_F1.jpg', 'image_F2.jpg']) {
        const exif = await read(`minivision-ai__Silent-Face-Anti-Spoofing/${name}`);
        for (const autoRotate of ['false', 'true']) {
          const r = await verify(exif, await read(LIVE_VIDEO), { auto_rotate: autoRotate });
          assert.equal(
            r.status,
            200,
            `${name} auto_rotate=${autoRotate}: ${JSON.stringify(r.json)}`,
          );
        }
      }
      // A same-person photo turned 90° in its pixels, no EXIF tag: only auto_rotate finds
      // the upright face, and only then does it match.
      const video = 'KwaiVGI__LivePortrait/driving_d3.mp4';
      const frame = await grabFrame(corpusFile(video), tmp('d3-frame-rot.jpg'), 11);
      const turned = await sharp(await readFile(frame))
        .rotate(90)
        .jpeg()
        .toBuffer();
      const withRotate = await verify(turned, await read(video), { auto_rotate: 'true' });
      assert.ok(
        (withRotate.json.verification_score as number) > 0.7,
        JSON.stringify(withRotate.json),
      );
      const without = await verify(turned, await read(video));
      if (without.status === 200)
        assert.ok((without.json.verification_score as number) < 0.7, JSON.stringify(without.json));
      else assert.equal(without.json.code, 4000);
    });

    test('format traps: WebP named .jpg and an RGBA PNG decode by content', async () => {
      for (const f of ['serengil__deepface/img47.jpg', 'ageitgey__face_recognition/32bit.png']) {
        const r = await verify(await read(f), await read(LIVE_VIDEO));
        assert.equal(r.status, 200, `${f}: ${JSON.stringify(r.json)}`);
      }
    });

    test('1200: missing, empty, bad Base64, bad boolean, wrong key, video over 60 s', async () => {
      const photo = seal(await read(OTHER_PERSON));
      const video = seal(await read(LIVE_VIDEO));
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
      expectError(
        await postForm(svc.url, {
          encrypted_image: photo,
          encrypted_video: video,
          auto_rotate: 'yes',
        }),
        400,
        1200,
        /auto_rotate/,
      );
      const wrongKey = seal(await read(OTHER_PERSON), 'k'.repeat(32), 'n'.repeat(12));
      expectError(
        await postForm(svc.url, { encrypted_image: wrongKey, encrypted_video: video }),
        400,
        1200,
        /could not be decrypted/,
      );
      const long = await testPattern(tmp('long.mp4'), 96, 96, 61);
      expectError(
        await postForm(svc.url, {
          encrypted_image: photo,
          encrypted_video: seal(await readFile(long)),
        }),
        400,
        1200,
        /longer/,
      );
    });

    test('2003: image and frame sizes outside the limits', async () => {
      const video = await read(LIVE_VIDEO);
      const tiny = await sharp({
        create: { width: 32, height: 32, channels: 3, background: '#888' },
      })
        .png()
        .toBuffer();
      expectError(await verify(tiny, video), 400, 2003);
      // A 30000×30000 PNG header on a tiny file: refused from the header alone.
      const huge = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
        .png()
        .toBuffer();
      huge.writeUInt32BE(30000, 16);
      huge.writeUInt32BE(30000, 20);
      expectError(await verify(huge, video), 400, 2003);
      const tinyVideo = await testPattern(tmp('tiny.mp4'), 48, 48, 3);
      expectError(await verify(await read(OTHER_PERSON), await readFile(tinyVideo)), 400, 2003);
    });

    test('2004: a decrypted photo over 8 MiB or video over 32 MiB; 413 for a body over 48 MiB', async () => {
      const video = await read(LIVE_VIDEO);
      expectError(
        await verify(Buffer.alloc(8 * 1024 * 1024 + 1, 1), video),
        400,
        2004,
        /encrypted_image/,
      );
      expectError(
        await verify(await read(OTHER_PERSON), Buffer.alloc(32 * 1024 * 1024 + 1, 1)),
        400,
        2004,
        /encrypted_video/,
      );
      // Declares 200 MB and sends almost nothing: refused at once, never buffered.
      const r = await rawRequest(svc.url, {
        method: 'POST',
        path: PATH,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': 200 * 1024 * 1024,
        },
        body: 'encrypted_image=',
        endEarly: true,
      });
      expectError(r, 413, 2004);
    });

    test('2005: undecodable photo and video, and a video with no video stream', async () => {
      const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));
      expectError(await verify(random, await read(LIVE_VIDEO)), 400, 2005, /image/);
      expectError(await verify(await read(OTHER_PERSON), random), 400, 2005, /video/);
      const truncated = (await read(LIVE_VIDEO)).subarray(0, 20_000);
      expectError(await verify(await read(OTHER_PERSON), truncated), 400, 2005);
    });

    test("curl -d without --data-urlencode: '+' arrives as a space and still decrypts", async () => {
      const photo = seal(await read(OTHER_PERSON));
      const video = seal(await read(LIVE_VIDEO));
      assert.ok(photo.includes('+') && video.includes('+'));
      // Written raw, not urlencoded: the form decoder turns every '+' into a space.
      const body = `encrypted_image=${photo.replace(/=/g, '%3D')}&encrypted_video=${video.replace(/=/g, '%3D')}`;
      const r = await rawRequest(svc.url, {
        method: 'POST',
        path: PATH,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
        body,
      });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    });

    test('multipart bodies, with fields as text or as file parts', async () => {
      const r = await postMultipart(svc.url, {
        encrypted_image: seal(await read(OTHER_PERSON)),
        encrypted_video: new Blob([seal(await read(LIVE_VIDEO))]),
        return_status: 'TRUE',
      });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.liveness_status, 'ok');
    });

    test('404, 405 and 411', async () => {
      expectError(await rawRequest(svc.url, { method: 'GET', path: '/nope' }), 404, 1200);
      expectError(await rawRequest(svc.url, { method: 'GET', path: PATH }), 405, 1200);
      const noLength = await rawSocket(
        svc.url,
        `POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n`,
      );
      assert.match(noLength, /^HTTP\/1\.1 411 /);
      assert.match(noLength, /"code":1200/);
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
    });

    test('8 concurrent requests all succeed', async () => {
      const photo = await read(OTHER_PERSON);
      const video = await read(LIVE_VIDEO);
      const replies = await Promise.all(Array.from({ length: 8 }, () => verify(photo, video)));
      for (const r of replies) assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(new Set(replies.map((r) => r.json.request_id)).size, 8);
    });

    test('operations: /healthz, /readyz with the bundle, /metrics, /openapi.json, /docs', async () => {
      assert.equal((await rawRequest(svc.url, { method: 'GET', path: '/healthz' })).status, 200);
      const ready = await rawRequest(svc.url, { method: 'GET', path: '/readyz' });
      assert.equal(ready.json.model_version, 'faceplugin-dlib@1.1.0');
      const metrics = await (await fetch(new URL('/metrics', svc.url))).text();
      assert.match(
        metrics,
        /silentid_requests_total\{route="\/identity\/silent_image_verification\/stateless",code="1000",model_version="faceplugin-dlib@1.1.0"\} \d+/,
      );
      assert.match(metrics, /silentid_stage_duration_seconds_bucket\{le="[^"]+",stage="liveness"/);
      assert.match(metrics, /silentid_inflight_requests 0/);
      const spec = (await (await fetch(new URL('/openapi.json', svc.url))).json()) as {
        paths: Record<string, unknown>;
      };
      assert.ok(spec.paths[PATH]);
      assert.match(await (await fetch(new URL('/docs', svc.url))).text(), /silentid API/);
    });

    test('no biometric data in the logs and no temp files left behind', async () => {
      const logs = svc.logs();
      assert.doesNotMatch(logs, /encrypted_(image|video)=/);
      const sealed = seal(await read(OTHER_PERSON));
      assert.ok(!logs.includes(sealed.slice(0, 64)));
      assert.deepEqual(await svc.leftoverTempDirs(), []);
    });
  },
);
