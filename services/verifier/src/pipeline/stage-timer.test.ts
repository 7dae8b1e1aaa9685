import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { recordSpansInMemory } from '../testing/in-memory-spans.js';
import { StageTimer } from './stage-timer.js';

const { exporter, shutdown } = recordSpansInMemory();
after(shutdown);

test('time measured elsewhere (liveness) is a span under the request’s, as long as its sum', async () => {
  const timer = new StageTimer();
  const request = trace.getTracer('test').startSpan('request');
  await context.with(trace.setSpan(context.active(), request), async () => {
    await timer.time('decode', () => 'frames');
    timer.add('liveness', 120);
  });
  request.end();
  const spans = exporter.getFinishedSpans();
  const liveness = spans.find((s) => s.name === 'liveness');
  assert.ok(liveness, `spans: ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(liveness.parentSpanContext?.spanId, request.spanContext().spanId);
  assert.ok(Math.abs(hrTimeToMilliseconds(liveness.duration) - 120) < 1);
  assert.deepEqual(liveness.attributes, { 'silentid.stage.summed': true });
  // Counted once: the span is not a second add to the stage's total.
  assert.equal(Math.round(timer.snapshot().liveness), 120);
  assert.ok(
    spans.some((s) => s.name === 'decode' && s.attributes['silentid.stage.summed'] === undefined),
  );
});
