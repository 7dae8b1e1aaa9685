/**
 * Faults around the requests, against the real verifier: its decoder killed mid-request,
 * its temp space full, SIGTERM with 8 requests in flight. Each step waits for the state
 * it needs (a decoder running, requests in flight, the listener closed), never for a
 * fixed time. No corpus: a sample photo and videos made from it at test time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);

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

    test('SIGKILL to ffmpeg: a clean error answer, nothing left, and the next request is fine', async () => {
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
      // The service reads a decoder that died as a video that ended: no frame at all is
      // 2005 ("no frame decoded"); a frame or more would be analysed as a shorter clip.
      assert.ok(r.status < 500, `${r.status} ${JSON.stringify(r.json)}`);
      if (r.status !== 200) wellFormedError(r);
      assert.equal(r.json.code, 2005, JSON.stringify(r.json));
      await nothingLeft(svc);
      const next = await postForm(svc.url, fields);
      assert.equal(next.status, 200, JSON.stringify(next.json));
      await nothingLeft(svc);
    });
  });

  describe('temp space full', () => {
    let dir: string;
    let svc: VerifierProcess;
    let mounted = false;
    /** Fills the temp space (a tiny tmpfs), or puts a file where the directory was. */
    let fill: () => Promise<void>;
    let free: () => Promise<void>;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'silentid-faults-tmp-'));
      try {
        await run('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dir]);
        mounted = true;
      } catch {
        mounted = false; // not root, or no mount in this container: the fallback below
      }
      const filler = path.join(dir, 'filler');
      fill = mounted
        ? async () => {
            const fh = await open(filler, 'w');
            try {
              const block = Buffer.alloc(64 * 1024, 1);
              for (;;) await fh.write(block);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            } finally {
              await fh.close();
            }
          }
        : async () => {
            await rename(dir, `${dir}.away`);
            await writeFile(dir, 'not a directory');
          };
      free = mounted
        ? () => rm(filler, { force: true })
        : async () => {
            await rm(dir, { force: true });
            await rename(`${dir}.away`, dir);
          };
      svc = await startVerifierProcess({ TMPDIR: dir });
    });
    after(async () => {
      const code = await svc?.stop();
      if (mounted) await run('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
      assert.equal(code, 0);
    });

    /** The per-request entries the service left in its TMPDIR. */
    const leftovers = async () => (await readdir(dir)).filter((n) => n.startsWith('silentid-'));

    test('the service answers with a JSON error, stays up, leaves nothing, and recovers once freed', async () => {
      await fill();
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
        await free();
      }
      assert.notEqual(full.status, 200, JSON.stringify(full.json));
      wellFormedError(full);
      assert.equal(photos.status, 200, JSON.stringify(photos.json));
      assert.equal((await fetch(new URL('/healthz', svc.url))).status, 200);
      await waitFor('no temp dir and no decoder left', async () => {
        const left = [...(await leftovers()), ...svc.decoders()];
        if (left.length > 0) throw new Error(`still there: ${left.join(', ')}`);
        return true;
      });
      const next = await postForm(svc.url, fields);
      assert.equal(next.status, 200, JSON.stringify(next.json));
    });

    test(
      'a request that needs temp space is not answered 500 while it is full',
      {
        todo: 'the service answers 500 (code 5000): load-video.ts lets ENOSPC from writeFile/mkdtemp escape as an internal fault; a full disk is transient and pod-local, so 503 + Retry-After (another pod can serve) would be the clean answer',
      },
      async (t) => {
        await fill();
        let r: Reply;
        try {
          r = await postForm(svc.url, fields);
        } finally {
          await free();
        }
        const fault = svc
          .logs()
          .split('\n')
          .find((l) => l.includes(String(r.json.request_id)) && l.includes('"err"'));
        if (fault !== undefined) t.diagnostic(`service log: ${fault.slice(0, 600)}`);
        wellFormedError(r);
        assert.notEqual(r.status, 500, JSON.stringify(r.json));
        assert.equal(r.status, 503, JSON.stringify(r.json));
        assert.ok(r.headers['retry-after'] !== undefined, 'Retry-After');
      },
    );
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
