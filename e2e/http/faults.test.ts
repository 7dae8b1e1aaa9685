/**
 * Faults around the requests, against the real verifier: its decoder killed mid-request,
 * its temp space full, SIGTERM with 8 requests in flight. Each step waits for the state
 * it needs (a decoder running, requests in flight, the listener closed), never for a
 * fixed time. No corpus: a sample photo and videos made from it at test time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import {
  smallTmpfs,
  type SmallTmpfs,
} from '../../services/verifier/src/media/testing/small-tmpfs.js';
import {
  connectionRefused,
  heldRequest,
  IMAGES_PATH,
  metricValue,
  postForm,
  seal,
  VERIFY_PATH,
  type Reply,
} from '../support/http.js';
import { ffmpegRun, H264 } from '../support/media-tools.js';
import { OTHER_PERSON, samplePhoto, SampleMedia } from '../support/sample-media.js';
import {
  startVerifierProcess,
  type VerifierProcess,
  nothingLeft,
} from '../support/verifier-process.js';
import { waitFor } from '../support/wait.js';

let media: SampleMedia;
let fields: Record<string, string>;

/** A JSON error answer of the API: a numeric code, a message, a request id. */
function wellFormedError(r: Reply): void {
  assert.equal(typeof r.json.code, 'number', JSON.stringify(r.json));
  assert.equal(typeof r.json.message, 'string', JSON.stringify(r.json));
  assert.equal(typeof r.json.request_id, 'string', JSON.stringify(r.json));
}

describe('faults', () => {
  before(async () => {
    media = await SampleMedia.create();
    fields = {
      encrypted_image: seal(await media.photo()),
      encrypted_video: seal(await media.stillVideo()),
    };
  });
  after(() => media?.remove());

  describe('the decoder killed mid-request', () => {
    let svc: VerifierProcess;
    let heavy: Record<string, string>;
    before(async () => {
      // 3840×2160 frames: each takes ffmpeg tens of milliseconds to decode and scale, so
      // the decoder is seen running, and killed, well before its first frame is out.
      const out = media.file('uhd.mp4');
      await ffmpegRun([
        ...['-loop', '1', '-i', samplePhoto(2), '-t', '2.5', '-r', '4'],
        ...['-vf', 'scale=-2:2160,pad=3840:2160:(ow-iw)/2:0', ...H264, out],
      ]);
      heavy = { ...fields, encrypted_video: seal(await readFile(out)) };
      svc = await startVerifierProcess();
    });
    after(async () => assert.equal(await svc?.stop(), 0));

    test('SIGKILL to ffmpeg: 500 (5000), logged, nothing left, and the next request is fine', async () => {
      const pending = postForm(svc.url, heavy);
      const answered = new AbortController();
      pending.then(
        () => answered.abort(new Error('answered before a decoder was seen running')),
        () => {},
      );
      const decoder = await waitFor(
        'a decoder to run',
        () => svc.decoders().find((d) => d.startsWith('ffmpeg ')),
        { intervalMs: 2, signal: answered.signal },
      );
      process.kill(Number(decoder.split(' ')[1]), 'SIGKILL');
      const r = await pending;
      // A decoder killed from outside (the OOM killer, an operator) is the server's
      // failure, never the video's: 5000, not 2005 and not an analysis of a cut-short
      // clip (decision 0013). The log says which process died and by which signal.
      wellFormedError(r);
      assert.equal(r.status, 500, JSON.stringify(r.json));
      assert.equal(r.json.code, 5000, JSON.stringify(r.json));
      const fault = await waitFor('the fault in the service log', () =>
        svc
          .logs()
          .split('\n')
          .find((l) => l.includes(String(r.json.request_id)) && l.includes('"err"')),
      );
      assert.match(fault, /ProcessKilledError/);
      assert.match(fault, /killed by SIGKILL/);
      await nothingLeft(svc);
      const next = await postForm(svc.url, fields);
      assert.equal(next.status, 200, JSON.stringify(next.json));
      await nothingLeft(svc);
    });
  });

  describe('temp space full', () => {
    // A 16 MiB tmpfs as the service's TMPDIR (tsx's compile cache lands there too). It is
    // mounted without privileges where user namespaces are allowed, or as root, in a mount
    // namespace of its own; elsewhere (a seccomp profile forbidding unshare) it is skipped,
    // saying why, rather than run against a directory that cannot fill.
    let tmpfs: SmallTmpfs | undefined;
    let unavailable = '';
    let svc: VerifierProcess | undefined;

    before(async () => {
      const made = await smallTmpfs({ sizeKiB: 16 * 1024 });
      if ('unavailable' in made) {
        unavailable = made.unavailable;
        return;
      }
      tmpfs = made;
      svc = await startVerifierProcess({ TMPDIR: tmpfs.path });
    });
    after(async () => {
      const code = await svc?.stop();
      await tmpfs?.dispose();
      if (svc !== undefined) assert.equal(code, 0);
    });

    test('503 + Retry-After (5003), logged, nothing left, photos unaffected, recovers once freed', async (t) => {
      if (tmpfs === undefined || svc === undefined) {
        t.skip(unavailable);
        return;
      }
      const space = tmpfs;
      /** The per-request entries the service left in its TMPDIR. */
      const leftovers = async () =>
        (await readdir(space.path)).filter((n) => n.startsWith('silentid-'));
      await space.fill();
      let full: Reply;
      let photos: Reply;
      try {
        full = await postForm(svc.url, fields);
        // The two-photo endpoint writes no temp file: it is unaffected.
        photos = await postForm(
          svc.url,
          {
            first_encrypted_image: seal(await media.photo()),
            second_encrypted_image: seal(await media.photo(OTHER_PERSON)),
          },
          IMAGES_PATH,
        );
      } finally {
        await space.free();
      }
      // The pod's condition, not the client's fault nor an internal fault: the queue-full
      // answer, which clients and ingresses already retry (elsewhere).
      wellFormedError(full);
      assert.equal(full.status, 503, JSON.stringify(full.json));
      assert.equal(full.json.code, 5003, JSON.stringify(full.json));
      assert.equal(full.headers['retry-after'], '1');
      assert.doesNotMatch(String(full.json.message), /encrypted_video/, 'no field is blamed');
      // Not an "unhandled error", but a warning an operator can find, with the cause.
      const warning = await waitFor('the warning in the service log', () =>
        svc!
          .logs()
          .split('\n')
          .find((l) => l.includes(String(full.json.request_id)) && l.includes('"err"')),
      );
      assert.match(warning, /"level":40/);
      assert.match(warning, /ENOSPC/);
      assert.doesNotMatch(svc.logs(), /unhandled error/);
      assert.equal(photos.status, 200, JSON.stringify(photos.json));
      assert.equal((await fetch(new URL('/healthz', svc.url))).status, 200);
      await waitFor('no temp dir and no decoder left', async () => {
        const left = [...(await leftovers()), ...svc!.decoders()];
        if (left.length > 0) throw new Error(`still there: ${left.join(', ')}`);
        return true;
      });
      const next = await postForm(svc.url, fields);
      assert.equal(next.status, 200, JSON.stringify(next.json));
      assert.deepEqual(await leftovers(), []);
    });
  });

  test('SIGTERM with 8 requests in flight: all 8 answered 200, none accepted after it, exit 0 within the grace', async () => {
    const graceMs = 30_000;
    const svc = await startVerifierProcess({ SHUTDOWN_GRACE_MS: String(graceMs) });
    const held = Array.from({ length: 8 }, () => heldRequest(svc.url, VERIFY_PATH, fields));
    try {
      // Every request has sent half its body: 2 hold the admission slots, 6 wait.
      await waitFor('8 requests in flight', async () => {
        return (await metricValue(svc.url, 'silentid_inflight_requests')) === 8;
      });
      const t0 = performance.now();
      const exit = svc.stop();
      await waitFor('the listener to close', () => connectionRefused(svc.url));
      await assert.rejects(postForm(svc.url, fields), 'a request after SIGTERM is not accepted');
      for (const h of held) h.finish();
      const replies = await Promise.all(held.map((h) => h.reply));
      for (const r of replies) {
        assert.equal(r.status, 200, JSON.stringify(r.json));
        assert.equal(r.json.code, 1000);
      }
      assert.equal(new Set(replies.map((r) => r.json.request_id)).size, 8);
      assert.equal(await exit, 0);
      const ms = performance.now() - t0;
      assert.ok(ms < graceMs, `exited after ${Math.round(ms)} ms, past the ${graceMs} ms grace`);
    } finally {
      for (const h of held) h.abandon();
      await svc.stop();
    }
  });
});
