/**
 * No request content reaches the logs, at the most verbose level, or the trace spans:
 * not the Base64 fields, not the decrypted photo and video bytes, not the scores of an
 * identity, not an embedding. Real requests, with recognisable bytes, to every endpoint,
 * answered and refused; the spans go to an in-memory exporter.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sealToBase64 } from '@silentid/client';
import { IMAGE_VERIFICATION_PATH } from '../http/routes/image-verification.js';
import { LIVENESS_PATH } from '../http/routes/liveness.js';
import { VERIFY_PATH } from '../http/routes/verification.js';
import { VideoFixtures } from '../media/testing/make-videos.js';
import { samplePhoto } from '../testing/sample-faces.js';
import { startTestVerifier, type TestVerifier } from '../testing/test-verifier.js';
import { recordSpansInMemory, type InMemorySpans } from '../testing/in-memory-spans.js';

let spans: InMemorySpans;
const fixtures = new VideoFixtures();
let svc: TestVerifier;

before(async () => {
  spans = recordSpansInMemory();
  svc = await startTestVerifier({ LOG_LEVEL: 'trace' });
});
after(async () => {
  await svc?.stop();
  await spans.shutdown();
  fixtures.dispose();
});

/** The ways a byte string could be written into a log or an attribute. */
function spellings(bytes: Buffer): string[] {
  const base64 = [0, 1, 2].map((shift) => bytes.subarray(shift).toString('base64').slice(0, -4));
  return [
    bytes.toString('hex'),
    bytes.toString('latin1'),
    bytes.toJSON().data.join(','), // a Buffer through JSON.stringify
    ...base64.filter((s) => s.length >= 12),
  ];
}

/** Windows of `bytes`, at its start, middle and end. */
const windows = (bytes: Buffer, size = 24): Buffer[] =>
  [0, (bytes.length - size) >> 1, bytes.length - size].map((at) => bytes.subarray(at, at + size));

test('at LOG_LEVEL=trace no request content reaches the logs or the trace spans', async () => {
  assert.equal(svc.verifier.log.level, 'trace');
  // A real face, with a canary after the JPEG's end (decoders ignore it).
  const canary = Buffer.from(`SILENTID-CANARY-${randomBytes(12).toString('hex')}`);
  const photo = Buffer.concat([readFileSync(samplePhoto(2)), canary]);
  const video = fixtures.bytes('stillFace');
  const sealedPhoto = sealToBase64(photo);
  const sealedVideo = sealToBase64(video);
  const other = sealToBase64(readFileSync(samplePhoto(5)));
  const flags = {
    auto_rotate: 'true',
    return_image: 'true',
    return_face_image: 'true',
    return_status: 'true',
    return_details: 'true',
  };
  const requests: [string, Record<string, string>][] = [
    [VERIFY_PATH, { encrypted_image: sealedPhoto, encrypted_video: sealedVideo, ...flags }],
    [LIVENESS_PATH, { encrypted_video: sealedVideo, return_details: 'true' }],
    [
      IMAGE_VERIFICATION_PATH,
      { first_encrypted_image: sealedPhoto, second_encrypted_image: other },
    ],
    // Refused: a field no key opens (and content in a query string, which the API does
    // not read), and a photo that is not an image.
    [
      `${VERIFY_PATH}?encrypted_image=${canary.toString()}`,
      { encrypted_image: sealToBase64(photo, 'k'.repeat(32)), encrypted_video: sealedVideo },
    ],
    [
      IMAGE_VERIFICATION_PATH,
      { first_encrypted_image: sealedPhoto, second_encrypted_image: sealToBase64(canary) },
    ],
  ];
  // Every figure of the answers (scores, cue values) precise enough to be recognised.
  const figures: string[] = [];
  for (const [path, fields] of requests) {
    const res = await fetch(`${svc.url}${path}`, {
      method: 'POST',
      body: new URLSearchParams(fields),
    });
    const text = await res.text();
    assert.ok(res.status === 200 || res.status === 400, `${path}: ${text}`);
    if (res.status === 200) figures.push(...(text.match(/\d\.\d{3,}/g) ?? []));
  }
  assert.ok(figures.length >= 8, `the answers' figures: ${figures.join(' ')}`);

  const finished = spans.exporter.getFinishedSpans();
  for (const stage of ['decrypt', 'decode', 'liveness'])
    assert.ok(
      finished.some((s) => s.name === stage),
      `${stage} spans were recorded`,
    );
  assert.ok(
    finished.some((s) => s.attributes['silentid.code'] === 1000),
    'request spans too',
  );
  const traced = JSON.stringify(
    finished.map((s) => [s.name, s.attributes, s.events, s.status, s.links]),
  );
  const logged = svc.logText();
  assert.match(logged, /"msg":"request"/);

  const needles = [
    ...[sealedPhoto, sealedVideo].flatMap((v) =>
      [0, v.length >> 1, v.length - 24].map((at) => v.slice(at, at + 24)),
    ),
    ...[
      canary,
      ...windows(photo.subarray(0, photo.length - canary.length)),
      ...windows(video),
    ].flatMap(spellings),
  ];
  for (const [where, text] of [
    ['logs', logged],
    ['spans', traced],
  ] as const) {
    for (const needle of needles) assert.ok(!text.includes(needle), `${where} hold "${needle}"`);
    for (const figure of figures)
      assert.ok(!text.includes(figure), `${where} hold the answer's figure ${figure}`);
    // An embedding or a frame, however serialised: a long run of numbers.
    assert.doesNotMatch(text, /(-?\d+(\.\d+)?(e-?\d+)?,){16}/, `${where} hold a vector`);
    // A form or an answer, logged whole (a message may name a field, never hold it).
    assert.doesNotMatch(text, /encrypted_(image|video)=|"base64_(face_)?image"/, where);
  }
});
