/**
 * Batching across requests (ORT_BATCH_MAX, decision 0024), through the real service: the
 * frames of concurrent requests meet on the main thread (VISION_WORKERS=0, the GPU
 * setting) and go through each model in batches. On CPU a batched image's outputs are
 * the same as a single run's, so the answers must be too; this runs on every clone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LIVENESS_PATH, postForm, seal, type Reply } from '../support/http.js';
import { OTHER_PERSON, PERSON, SampleMedia } from '../support/sample-media.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';

let media: SampleMedia;
let plain: VerifierProcess;
let batched: VerifierProcess;

/** Three requests at once, as different users would send them. */
async function concurrentRequests(svc: VerifierProcess): Promise<Reply[]> {
  const zoom = await media.stillVideo(PERSON, 3, true);
  const still = await media.stillVideo(OTHER_PERSON, 3);
  const details = { return_status: 'true', return_details: 'true' };
  return Promise.all([
    postForm(svc.url, {
      encrypted_image: seal(await media.photo(PERSON)),
      encrypted_video: seal(zoom),
      ...details,
    }),
    postForm(svc.url, {
      encrypted_image: seal(await media.photo(PERSON)),
      encrypted_video: seal(still),
      ...details,
    }),
    postForm(svc.url, { encrypted_video: seal(zoom), ...details }, LIVENESS_PATH),
  ]);
}

/** The bucket counts of one component's batch-size histogram. */
async function batchSizes(svc: VerifierProcess, component: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const buckets = new Map<string, number>();
  const re = new RegExp(
    `^silentid_model_batch_size_bucket\\{le="([^"]+)",.*component="${component}"\\} (\\d+)$`,
    'gm',
  );
  for (const m of text.matchAll(re)) buckets.set(m[1]!, Number(m[2]));
  return buckets;
}

describe('batching across requests', () => {
  before(async () => {
    media = await SampleMedia.create();
    [plain, batched] = await Promise.all([
      startVerifierProcess({ VISION_WORKERS: '0' }),
      startVerifierProcess({ VISION_WORKERS: '0', ORT_BATCH_MAX: '8', ORT_BATCH_WAIT_MS: '20' }),
    ]);
  });
  after(async () => {
    await Promise.all([plain?.stop(), batched?.stop()]);
    await media?.remove();
  });

  test('/readyz says how runs are batched; CPU batches nothing by default', async () => {
    const off = (await (await fetch(`${plain.url}/readyz`)).json()) as { batching: unknown };
    const on = (await (await fetch(`${batched.url}/readyz`)).json()) as { batching: unknown };
    assert.deepEqual(off.batching, { max_batch: 1, max_wait_ms: 0 });
    assert.deepEqual(on.batching, { max_batch: 8, max_wait_ms: 20 });
  });

  test('concurrent requests are answered as without batching, from batches of several images', async () => {
    const expected = await concurrentRequests(plain);
    const got = await concurrentRequests(batched);
    for (const [i, r] of got.entries()) {
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const { request_id: _id, ...answer } = r.json;
      const { request_id: _other, ...wanted } = expected[i]!.json;
      assert.deepEqual(answer, wanted, `request ${i}`);
    }
    // Both eyes of a frame, at least, are submitted together: some batch holds more than one.
    const eyes = await batchSizes(batched, 'eyes');
    assert.ok(
      (eyes.get('+Inf') ?? 0) > (eyes.get('1') ?? 0),
      `eye batches: ${JSON.stringify([...eyes])}`,
    );
    const detector = await batchSizes(batched, 'detector');
    assert.ok((detector.get('+Inf') ?? 0) > 0, 'the detector ran through the queue');
    assert.equal((await batchSizes(plain, 'eyes')).size, 0, 'nothing is batched with batching off');
  });
});
