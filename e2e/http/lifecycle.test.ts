/**
 * The process around the requests: a client that goes away, a saturated pod, draining on
 * SIGTERM. Each step waits for the state it needs (a request in flight, queued, a
 * decoder running, the listener closed), never for a fixed time; a request is held at
 * a known point by sending only half its body. No corpus: the requests carry a sample
 * photo and a still-photo video made at test time.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectionRefused,
  heldRequest,
  metricValue,
  postForm,
  seal,
  VERIFY_PATH,
} from '../support/http.js';
import { SampleMedia } from '../support/sample-media.js';
import {
  startVerifierProcess,
  type VerifierProcess,
  nothingLeft,
} from '../support/verifier-process.js';
import { waitFor } from '../support/wait.js';

let media: SampleMedia;
let fields: Record<string, string>;

const inFlight = (svc: VerifierProcess, n: number) =>
  waitFor(`${n} request(s) in flight`, async () => {
    return (await metricValue(svc.url, 'silentid_inflight_requests')) === n;
  });
const queued = (svc: VerifierProcess, n: number) =>
  waitFor(`${n} request(s) queued`, async () => {
    return (await metricValue(svc.url, 'silentid_queue_depth')) === n;
  });

describe('process lifecycle', () => {
  before(async () => {
    media = await SampleMedia.create();
    fields = {
      encrypted_image: seal(await media.photo()),
      encrypted_video: seal(await media.stillVideo()),
    };
  });
  after(() => media?.remove());

  describe('a client that disconnects mid-request', () => {
    let svc: VerifierProcess;
    before(async () => (svc = await startVerifierProcess()));
    after(async () => assert.equal(await svc?.stop(), 0));

    test('while its body is still arriving: the request ends with it', async () => {
      const held = heldRequest(svc.url, VERIFY_PATH, fields);
      await inFlight(svc, 1);
      held.abandon();
      await assert.rejects(held.reply);
      await inFlight(svc, 0);
      await nothingLeft(svc, 'after an abort mid-body');
    });

    /**
     * Posts `form` and, once `running` holds for one of the service's decoders, goes away;
     * then nothing may be left of the request. Fails at once, not at the deadline, if the
     * answer comes first.
     */
    async function abandonWhile(
      form: Record<string, string>,
      what: string,
      running: (decoder: string) => boolean,
    ): Promise<void> {
      const ctl = new AbortController();
      const pending = fetch(new URL(VERIFY_PATH, svc.url), {
        method: 'POST',
        body: new URLSearchParams(form),
        signal: ctl.signal,
      });
      const answered = new AbortController();
      pending.then(
        () => answered.abort(new Error(`answered before ${what} was seen running`)),
        () => {},
      );
      await waitFor(`${what} to run`, () => svc.decoders().some(running), {
        intervalMs: 2,
        signal: answered.signal,
      });
      ctl.abort();
      await assert.rejects(pending);
      await nothingLeft(svc, `after an abort while ${what} ran`);
      await inFlight(svc, 0);
    }

    test('while its video decodes: the decoder is killed and the temp dir removed', () =>
      abandonWhile(fields, 'a decoder', () => true));

    test('while a still clip is searched for a blink: that decoder is killed too', async () => {
      // 10 s of a still face seen directly: past the first window, the clip is decoded on
      // from 4 s (`-ss`) for a blink, by a decoder held back while frames are analysed.
      const still = { ...fields, encrypted_video: seal(await media.stillVideo(undefined, 10)) };
      const seeking = (decoder: string) => {
        try {
          const pid = decoder.split(' ')[1];
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('-ss');
        } catch {
          return false; // it ended while we looked
        }
      };
      await abandonWhile(still, 'the search decoder', seeking);
    });

    test('and the service still answers', async () => {
      const r = await postForm(svc.url, fields);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      await nothingLeft(svc, 'after an answered request');
    });
  });

  test('a saturated pod answers 5003 with Retry-After at once, and recovers', async () => {
    const svc = await startVerifierProcess({
      MAX_CONCURRENT_REQUESTS: '1',
      MAX_QUEUED_REQUESTS: '1',
    });
    const running = heldRequest(svc.url, VERIFY_PATH, fields);
    let waiting: ReturnType<typeof heldRequest> | undefined;
    try {
      await inFlight(svc, 1);
      // The first request holds the only slot while its body is incomplete: the second waits.
      waiting = heldRequest(svc.url, VERIFY_PATH, fields);
      await queued(svc, 1);
      const refused = await postForm(svc.url, fields);
      assert.equal(refused.status, 503, JSON.stringify(refused.json));
      assert.equal(refused.json.code, 5003);
      assert.equal(refused.headers['retry-after'], '1');
      // Both held requests complete once their bodies arrive: the first frees the slot
      // the second is waiting for.
      waiting.finish();
      running.finish();
      for (const held of [running, waiting]) {
        const r = await held.reply;
        assert.equal(r.status, 200, JSON.stringify(r.json));
      }
      await queued(svc, 0);
      assert.equal((await postForm(svc.url, fields)).status, 200);
      const metrics = await (await fetch(new URL('/metrics', svc.url))).text();
      assert.match(metrics, /silentid_requests_total\{[^}]*code="5003"[^}]*\} 1\b/);
      assert.match(metrics, /silentid_queue_depth 0/);
    } finally {
      running.abandon();
      waiting?.abandon();
      assert.equal(await svc.stop(), 0);
    }
  });

  test('SIGTERM drains: the in-flight request completes, new connections are refused, exit 0', async () => {
    const svc = await startVerifierProcess();
    const held = heldRequest(svc.url, VERIFY_PATH, fields);
    try {
      await inFlight(svc, 1);
      const exit = svc.stop();
      await waitFor('the listener to close', () => connectionRefused(svc.url));
      held.finish();
      const reply = await held.reply;
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.equal(reply.json.code, 1000);
      assert.equal(await exit, 0);
      await assert.rejects(fetch(new URL('/healthz', svc.url)));
    } finally {
      held.abandon();
      await svc.stop();
    }
  });
});
