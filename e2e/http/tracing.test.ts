/**
 * Traces leave the real service over OTLP/HTTP to a collector (here a local HTTP
 * listener standing in for one, reading the OTLP JSON it is sent): a server span per
 * request, continuing the caller's W3C traceparent, with a child span per pipeline stage,
 * and nothing of the request's content. No corpus: the request carries a still-photo
 * video made at test time (its answer, a rejection, is a 200 like any other).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIVENESS_PATH, seal } from '../support/http.js';
import { SampleMedia } from '../support/sample-media.js';
import { startVerifierProcess, type VerifierProcess } from '../support/verifier-process.js';
import { waitFor } from '../support/wait.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

const received: OtlpExport[] = [];
let collector: http.Server;
let svc: VerifierProcess;
let media: SampleMedia;

const spans = () =>
  received.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
const attr = (s: { attributes: { key: string; value: OtlpValue }[] }, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

describe('OpenTelemetry traces', () => {
  before(async () => {
    media = await SampleMedia.create();
    collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces')
          received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    svc = await startVerifierProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: 'silentid-test',
      OTEL_RESOURCE_ATTRIBUTES: 'silentid.track=canary',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
  });
  after(async () => {
    assert.equal(await svc?.stop(), 0);
    collector?.close();
    await media?.remove();
  });

  test('a request continues the caller’s trace, with a span per stage and no content', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const video = seal(await media.stillVideo());
    const res = await fetch(new URL(LIVENESS_PATH, svc.url), {
      method: 'POST',
      headers: { traceparent: `00-${traceId}-${callerSpan}-01`, 'x-request-id': 'trace-test-1' },
      body: new URLSearchParams({ encrypted_video: video }),
    });
    assert.equal(res.status, 200);
    // The batch exporter sends when it likes: wait for the server span and the stage
    // spans under it (they end first, but may travel in another batch).
    const ours = () => spans().filter((s) => s.traceId === traceId);
    const server = await waitFor('the server span with its stage children', () => {
      const root = ours().find((s) => s.kind === 2);
      const children = ours().filter((s) => root && s.parentSpanId === root.spanId);
      const names = new Set(children.map((s) => s.name));
      if (!root || !['decrypt', 'decode', 'liveness'].every((n) => names.has(n)))
        throw new Error(`spans so far: ${JSON.stringify(spans().map((s) => s.name))}`);
      return root;
    });
    assert.equal(server.parentSpanId, callerSpan);
    assert.equal(server.name, `POST ${LIVENESS_PATH}`);
    assert.equal(attr(server, 'http.response.status_code'), 200);
    assert.equal(attr(server, 'silentid.code'), 1000);
    assert.equal(attr(server, 'silentid.request_id'), 'trace-test-1');
    assert.equal(attr(server, 'silentid.model_version'), 'faceplugin-dlib@1.3.0');

    const resource = received[0]!.resourceSpans[0]!.resource;
    assert.equal(attr(resource, 'service.name'), 'silentid-test');
    assert.equal(attr(resource, 'silentid.track'), 'canary');

    // Nothing of the request's body travels: no attribute comes near its size or content.
    const everything = JSON.stringify(received);
    assert.ok(!everything.includes(video.slice(0, 64)));
    for (const s of spans())
      for (const a of s.attributes)
        assert.ok(String(a.value.stringValue ?? '').length < 512, `${s.name}.${a.key} is long`);
  });
});
