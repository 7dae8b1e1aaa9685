/**
 * The demo page and the web SDK in a real headless Chromium, against the real verifier:
 * the fake camera plays clips made by ffmpeg, MediaRecorder records what it sees,
 * WebCrypto seals it, and the service answers. Without a chromium binary every test is
 * reported as skipped, with the reason; the live-person test also needs the corpus.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DEFAULT_KEY, DEFAULT_NONCE, openSealed } from '@silentid/client';
import { resolveBinary } from '@silentid/verifier';
import type { Page, Request } from 'playwright-core';
import { chromiumSkip, launchWithCamera, makeY4m, type CameraSetup } from '../support/browser.js';
import { corpusFile, corpusSkip } from '../support/corpus.js';
import { VERIFY_PATH } from '../support/http.js';
import { grabFrame, scratchDir } from '../support/media-tools.js';
import { samplePhoto } from '../support/sample-media.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';

const run = promisify(execFile);

/** Talking head, 11.8 s: its first seconds are the live clip, its frame at 11 s the photo. */
const LIVE_VIDEO = 'KwaiVGI__LivePortrait/driving_d3.mp4';
/** The right-hand face of face-api's sample 6 (1920×1537), cropped to a selfie framing. */
const STILL_CROP = '420:560:1370:90';

/** Page states (main[data-state]); a flow ends in one of the last two. */
const ENDED = '#demo[data-state="result"], #demo[data-state="error"]';
/** Start-up, recording (8 s) and the service's analysis on a loaded 2-core runner. */
const FLOW_TIMEOUT_MS = 240_000;

/** What one pass through the page produced. */
interface Flow {
  readonly state: string;
  readonly passed: string | undefined;
  readonly errorReason: string | undefined;
  readonly errorText: string;
  /** The form the page POSTed to the service, and the service's JSON answer. */
  readonly form: FormData | undefined;
  readonly answer: Record<string, unknown> | undefined;
  readonly clip: { mimeType?: string; bytes?: string; seconds?: string };
  readonly rawSummary: string;
  readonly console: string[];
}

let svc: VerifierProcess;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
const made = new Map<string, Promise<string>>();
const flows = new Map<string, Promise<Flow>>();

/** Builds each y4m once per suite. */
function media(name: string, make: (out: string) => Promise<string>): Promise<string> {
  let file = made.get(name);
  if (file === undefined) made.set(name, (file = make(`${scratch.dir}/${name}`)));
  return file;
}

const stillY4m = () =>
  media('still.y4m', (out) =>
    makeY4m(samplePhoto(6), out, { seconds: 1, width: 480, still: true, crop: STILL_CROP }),
  );
const liveY4m = () =>
  media('live.y4m', (out) => makeY4m(corpusFile(LIVE_VIDEO), out, { seconds: 6, width: 480 }));
const livePhoto = () =>
  media('live-photo.jpg', (out) => grabFrame(corpusFile(LIVE_VIDEO), out, 11));

async function openDemo(setup: CameraSetup) {
  const session = await launchWithCamera(setup);
  await session.page.goto(`${svc.url}/demo`);
  await session.page.waitForSelector('#demo[data-state="ready"]');
  return session;
}

const attr = (page: Page, selector: string, name: string) =>
  page.locator(selector).getAttribute(name);

/** The multipart body of a request, parsed as the service would (undici's parser). */
async function formOf(req: Request): Promise<FormData | undefined> {
  const body = req.postDataBuffer();
  const type = await req.headerValue('content-type');
  if (body === null || type === null) return undefined;
  return new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
}

/** Opens the page, chooses the photo, starts the camera, records, and waits for the end. */
function flow(
  name: string,
  y4m: () => Promise<string>,
  photo: () => Promise<string>,
): Promise<Flow> {
  let pending = flows.get(name);
  if (pending === undefined) {
    pending = (async () => {
      const session = await openDemo({ y4m: await y4m(), permission: 'granted' });
      const { page } = session;
      try {
        await page.setInputFiles('#photo-input', await photo());
        await page.click('#start-camera');
        await page.waitForSelector('#demo[data-state="camera"]');
        // Recording starts once the preview has a frame (the hints say so).
        await page.waitForSelector('#stage:not([data-hint="none"])');
        const request = page.waitForRequest((r) => r.url().endsWith(VERIFY_PATH), {
          timeout: FLOW_TIMEOUT_MS,
        });
        const response = page.waitForResponse((r) => r.url().endsWith(VERIFY_PATH), {
          timeout: FLOW_TIMEOUT_MS,
        });
        await page.click('#record');
        await page.waitForSelector(ENDED, { timeout: FLOW_TIMEOUT_MS });
        const state = (await attr(page, '#demo', 'data-state')) ?? '';
        const uploaded =
          state === 'result' || (await attr(page, '#error', 'data-reason')) === 'service';
        return {
          state,
          passed: (await attr(page, '#result', 'data-passed')) ?? undefined,
          errorReason: (await attr(page, '#error', 'data-reason')) ?? undefined,
          errorText: (await page.locator('#error').textContent()) ?? '',
          form: uploaded ? await formOf(await request) : undefined,
          answer: uploaded
            ? ((await (await response).json()) as Record<string, unknown>)
            : undefined,
          clip: {
            mimeType: (await attr(page, '#clip-info', 'data-mime-type')) ?? undefined,
            bytes: (await attr(page, '#clip-info', 'data-bytes')) ?? undefined,
            seconds: (await attr(page, '#clip-info', 'data-seconds')) ?? undefined,
          },
          rawSummary: (await page.locator('#raw-summary').textContent()) ?? '',
          console: session.console,
        };
      } finally {
        await session.close();
      }
    })();
    flows.set(name, pending);
  }
  return pending;
}

const stillFlow = () => flow('still', stillY4m, async () => samplePhoto(6));

/** A field of the page's form, opened with the service's key. */
function opened(form: FormData, field: string): Buffer {
  const value = form.get(field);
  assert.equal(typeof value, 'string', `${field} is a text field of Base64`);
  const plain = openSealed(Buffer.from(value as string, 'base64'), DEFAULT_KEY, DEFAULT_NONCE);
  assert.ok(plain, `${field} opens with the service's key and nonce`);
  return plain;
}

describe('the demo page and the web SDK in headless Chromium', () => {
  before(async () => {
    if (chromiumSkip) return; // every test below is reported skipped, with the reason
    scratch = await scratchDir('silentid-e2e-browser-');
    svc = await startVerifierProcess({ MAX_QUEUED_REQUESTS: '8' });
  });
  after(async () => {
    if (chromiumSkip) return;
    const code = await svc?.stop();
    await scratch?.remove();
    assert.equal(code, 0, 'SIGTERM exits 0');
  });

  test(
    'a live person passes end to end through the page, with the score, frames and dev figures',
    { skip: chromiumSkip || corpusSkip, timeout: FLOW_TIMEOUT_MS + 60_000 },
    async (t) => {
      const f = await flow('live', liveY4m, livePhoto);
      t.diagnostic(`clip ${JSON.stringify(f.clip)}; answer ${summary(f.answer)}`);
      assert.equal(f.state, 'result', `${f.errorReason}: ${f.errorText}\n${f.console.join('\n')}`);
      assert.equal(f.passed, 'true', summary(f.answer));
      assert.ok((f.answer?.verification_score as number) > 0.7, summary(f.answer));
      assert.match(String(f.answer?.base64_image), /^\/9j\//, 'the best frame is a JPEG');
      assert.match(f.rawSummary, /liveness_score 0\.\d+ against the threshold/);
    },
  );

  test(
    'a still photo played as the camera is refused by the service as not live',
    { skip: chromiumSkip, timeout: FLOW_TIMEOUT_MS + 60_000 },
    async (t) => {
      const f = await stillFlow();
      t.diagnostic(`clip ${JSON.stringify(f.clip)}; answer ${summary(f.answer)}`);
      assert.equal(f.state, 'result', `${f.errorReason}: ${f.errorText}\n${f.console.join('\n')}`);
      assert.equal(f.passed, 'false');
      assert.equal(f.answer?.liveness_status, 'hack');
      assert.equal(f.answer?.verification_score, undefined, 'no score unless passed');
      assert.match(f.rawSummary, /status hack/);
      // The page records past the service's first window, so a still face is searched on
      // for a blink before it is refused (decision 0028), and the dev figures say so.
      assert.match(f.rawSummary, /; \d+ later frames searched for a blink\.$/);
    },
  );

  test(
    "the page's WebCrypto fields open with the service's key: the photo as chosen, the clip as recorded",
    { skip: chromiumSkip, timeout: FLOW_TIMEOUT_MS + 60_000 },
    async () => {
      const f = await stillFlow();
      assert.ok(f.form, `the page uploaded (${f.errorReason}: ${f.errorText})`);
      assert.deepEqual(opened(f.form, 'encrypted_image'), await readFile(samplePhoto(6)));
      const video = opened(f.form, 'encrypted_video');
      assert.equal(video.length, Number(f.clip.bytes), 'the clip the page recorded, whole');
      assert.equal(f.form.get('return_details'), 'true', 'dev mode asks for the cue figures');
    },
  );

  test(
    "the WebM Chromium's MediaRecorder made (no duration in its header) is decoded by the service",
    { skip: chromiumSkip, timeout: FLOW_TIMEOUT_MS + 60_000 },
    async (t) => {
      const f = await stillFlow();
      assert.ok(f.form, `the page uploaded (${f.errorReason}: ${f.errorText})`);
      const video = opened(f.form, 'encrypted_video');
      assert.equal(video.readUInt32BE(0), 0x1a45dfa3, 'an EBML (WebM) file');
      const probe = await ffprobe(video);
      t.diagnostic(
        `recorded ${f.clip.mimeType}: ${video.length} bytes, codec ${probe.codec}, ` +
          `${probe.width}×${probe.height}, first timestamp ${probe.firstPts} s, ` +
          `Duration element ${probe.durationElement ? 'present' : 'absent'}, page-measured ${f.clip.seconds} s`,
      );
      assert.match(probe.codec, /^vp[89]$/);
      assert.equal(f.answer?.code, 1000, summary(f.answer));
      const details = f.answer?.liveness_details as { sampled_frames: number } | undefined;
      assert.ok((details?.sampled_frames ?? 0) >= 16, `frames were decoded: ${summary(f.answer)}`);
      assert.notEqual(f.answer?.liveness_status, 'short_time', 'its duration was measured');
    },
  );

  test(
    'production mode (own key, SILENTID_DEMO=true): no key handed out; the decision and a hint, no raw figures',
    { skip: chromiumSkip, timeout: FLOW_TIMEOUT_MS + 60_000 },
    async () => {
      const own = { key: 'p'.repeat(32), nonce: 'q'.repeat(12) };
      const prod = await startVerifierProcess({
        SILENTID_KEY: own.key,
        SILENTID_NONCE: own.nonce,
        SILENTID_DEMO: 'true',
      });
      const { page, close } = await launchWithCamera({
        y4m: await stillY4m(),
        permission: 'granted',
      });
      try {
        await page.goto(`${prod.url}/demo`);
        await page.waitForSelector('#demo[data-state="ready"]');
        assert.match((await page.locator('#mode').textContent()) ?? '', /Production mode/);
        await page.fill('#key-input', own.key);
        await page.fill('#nonce-input', own.nonce);
        await page.setInputFiles('#photo-input', samplePhoto(6));
        await page.click('#start-camera');
        await page.waitForSelector('#stage:not([data-hint="none"])');
        const request = page.waitForRequest((r) => r.url().endsWith(VERIFY_PATH));
        await page.click('#record');
        await page.waitForSelector(ENDED, { timeout: FLOW_TIMEOUT_MS });
        assert.equal(await attr(page, '#result', 'data-passed'), 'false');
        assert.match(
          (await page.locator('#result-hint').textContent()) ?? '',
          /live person could not be confirmed/,
        );
        assert.ok(await page.locator('#raw').isHidden(), 'no raw liveness figures');
        const form = await formOf(await request);
        assert.notEqual(form?.get('return_details'), 'true', 'the figures are not even asked for');
        const video = Buffer.from(String(form?.get('encrypted_video')), 'base64');
        assert.ok(openSealed(video, own.key, own.nonce), 'sealed with the pasted pair');
      } finally {
        await close();
        await prod.stop();
      }
    },
  );

  test(
    'a refused camera permission shows a clear message, and a way to try again',
    { skip: chromiumSkip },
    async () => {
      const { page, close } = await openDemo({ y4m: await stillY4m(), permission: 'denied' });
      try {
        await page.click('#start-camera');
        await page.waitForSelector('#demo[data-state="error"]');
        assert.equal(await attr(page, '#error', 'data-reason'), 'camera-denied');
        assert.match(
          (await page.locator('#error').textContent()) ?? '',
          /Camera access was denied/,
        );
        assert.equal(await page.locator('#error').getAttribute('role'), 'alert');
        assert.ok(await page.locator('#retry').isVisible());
        assert.equal(await page.locator('#retry:focus').count(), 1, 'the focus is on Try again');
      } finally {
        await close();
      }
    },
  );

  test(
    'a recording stopped before the minimum is refused on the device: nothing is uploaded',
    { skip: chromiumSkip },
    async () => {
      const { page, close } = await openDemo({ y4m: await stillY4m(), permission: 'granted' });
      const posts: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST') posts.push(r.url());
      });
      try {
        await page.click('#start-camera');
        await page.waitForSelector('#demo[data-state="camera"]');
        // Keyboard only: Record has the focus once the camera is on.
        await page.keyboard.press('Enter');
        await page.waitForSelector('#demo[data-state="recording"]');
        await page.click('#stop');
        await page.waitForSelector('#demo[data-state="error"]');
        assert.equal(await attr(page, '#error', 'data-reason'), 'too-short');
        assert.match(
          (await page.locator('#error').textContent()) ?? '',
          /The recording is \d\.\d s long; at least 2 s are needed/,
        );
        assert.deepEqual(posts, []);
      } finally {
        await close();
      }
    },
  );
});

/** The answer without its Base64 images, for messages. */
function summary(answer: Record<string, unknown> | undefined): string {
  if (answer === undefined) return 'none';
  const { base64_image: _i, base64_face_image: _f, ...rest } = answer;
  return JSON.stringify(rest);
}

/**
 * The clip's codec, size and first timestamp, and whether its Segment Info carries a
 * Duration element (EBML ID 0x4489): MediaRecorder streams its WebM, so it has none, and
 * the service must measure the length from the packets.
 */
async function ffprobe(bytes: Buffer) {
  const file = `${scratch.dir}/recorded.webm`;
  await writeFile(file, bytes);
  const { stdout } = await run(resolveBinary('ffprobe', process.env.FFPROBE_PATH).path, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height:packet=pts_time',
    '-read_intervals',
    '%+#1',
    '-of',
    'json',
    file,
  ]);
  const parsed = JSON.parse(stdout) as {
    streams: { codec_name: string; width: number; height: number }[];
    packets?: { pts_time?: string }[];
  };
  const stream = parsed.streams[0]!;
  const info = bytes.indexOf(Buffer.from([0x15, 0x49, 0xa9, 0x66])); // Segment Info
  const cluster = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75])); // first Cluster
  const header = bytes.subarray(info, cluster > info ? cluster : info + 256);
  return {
    codec: stream.codec_name,
    width: stream.width,
    height: stream.height,
    firstPts: parsed.packets?.[0]?.pts_time,
    durationElement: info >= 0 && header.includes(Buffer.from([0x44, 0x89])),
  };
}
