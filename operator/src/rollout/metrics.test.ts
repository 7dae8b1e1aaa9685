import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from './prometheus-text.js';
import { histogramQuantile, since, summarize, summarizeTotals, totals } from './metrics-summary.js';
import { analyze } from './analysis.js';
import { metricsText } from '../../test/fixtures.js';
import { DEFAULT_ANALYSIS } from '../api/defaults.js';

test('parses labels with escapes, +Inf and skips comments', () => {
  const samples = parsePrometheusText(
    '# HELP x y\nx{a="b\\"c",le="+Inf"} 3\ny 1.5 1700000000\nbroken line here\n',
  );
  assert.deepEqual(samples, [
    { name: 'x', labels: { a: 'b"c', le: '+Inf' }, value: 3 },
    { name: 'y', labels: {}, value: 1.5 },
  ]);
});

test('histogramQuantile interpolates inside the bucket like Prometheus', () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 1, count: 100 },
    { le: Infinity, count: 100 },
  ];
  assert.equal(histogramQuantile(0.5, buckets), 0.1);
  assert.ok(Math.abs(histogramQuantile(0.95, buckets)! - 0.91) < 1e-9);
  assert.equal(histogramQuantile(0.95, []), null);
});

test('summarize counts 5xxx codes as errors and only the expected model version', () => {
  const text =
    metricsText('v2', { ok: 90, errors: 10, passed: 60, failed: 40, meanScore: 0.7 }) +
    metricsText('v1', { ok: 1000, errors: 0, passed: 1, failed: 0, meanScore: 0.1 });
  const summary = summarize(parsePrometheusText(text), 'v2');
  assert.equal(summary.requests, 100);
  assert.equal(summary.errorRate, 0.1);
  assert.equal(summary.livenessPassRate, 0.6);
  assert.ok(Math.abs(summary.meanLivenessScore! - 0.7) < 1e-9);
  assert.ok(summary.p95LatencySeconds! <= 0.5);
});

test('client errors (1200, 4xxx) are not counted against the canary', () => {
  const text =
    'silentid_requests_total{route="/v",code="4004",model_version="v2"} 50\nsilentid_requests_total{route="/v",code="1000",model_version="v2"} 50\n';
  assert.equal(summarize(parsePrometheusText(text), 'v2').errorRate, 0);
});

function judge(
  canary: Parameters<typeof metricsText>[1],
  stable: Parameters<typeof metricsText>[1],
) {
  const c = summarize(parsePrometheusText(metricsText('v2', canary)), 'v2');
  const s = summarize(parsePrometheusText(metricsText('v1', stable)), 'v1');
  return analyze(c, s, DEFAULT_ANALYSIS, new Date(0));
}

const healthy = { ok: 100, errors: 0, passed: 80, failed: 20, meanScore: 0.8 };

test('a canary like stable passes', () => {
  assert.equal(judge(healthy, healthy).verdict, 'Pass');
});

test('too few requests is inconclusive, not a pass', () => {
  assert.equal(judge({ ...healthy, ok: 3 }, healthy).verdict, 'Inconclusive');
});

test('errors, latency, pass-rate change and score drift each fail the canary with a reason', () => {
  assert.match(judge({ ...healthy, errors: 10 }, healthy).reasons.join(), /error rate/);
  assert.match(judge({ ...healthy, slow: true }, healthy).reasons.join(), /p95 latency/);
  assert.match(judge({ ...healthy, passed: 40, failed: 60 }, healthy).reasons.join(), /pass rate/);
  assert.match(judge({ ...healthy, meanScore: 0.5 }, healthy).reasons.join(), /drifts/);
});

test('since judges only the traffic after the baseline, and falls back on a counter reset', () => {
  const before = totals(
    parsePrometheusText(
      metricsText('v2', { ok: 100, errors: 0, passed: 80, failed: 20, meanScore: 0.8 }),
    ),
    'v2',
  );
  const after = totals(
    parsePrometheusText(
      metricsText('v2', { ok: 110, errors: 10, passed: 90, failed: 30, meanScore: 0.8 }),
    ),
    'v2',
  );
  const step = summarizeTotals(since(after, before));
  assert.equal(step.requests, 20);
  assert.equal(step.errorRate, 0.5);
  assert.equal(step.livenessPassRate, 0.5);
  const restarted = totals(
    parsePrometheusText(
      metricsText('v2', { ok: 5, errors: 0, passed: 4, failed: 1, meanScore: 0.8 }),
    ),
    'v2',
  );
  assert.equal(summarizeTotals(since(restarted, before)).requests, 5);
});
