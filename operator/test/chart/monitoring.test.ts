/**
 * The chart's day-two objects: monitors and alert rules only where the Prometheus
 * Operator's kinds exist, every alert with a runbook, the rules unit-tested with
 * promtool, and a dashboard that reads only series silentid exports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseAllDocuments, stringify } from 'yaml';
import { helm } from '../support/helm.js';
import type { KubeObject } from '../../src/api/object-meta.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CHART = join(ROOT, 'charts/silentid/');
const MONITORING_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];

function render(...args: string[]): KubeObject[] {
  return parseAllDocuments(helm(['template', 'silentid', CHART, '--namespace', 'ops', ...args]))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

const withPrometheusOperator = () =>
  render(...MONITORING_KINDS.flatMap((k) => ['--api-versions', `monitoring.coreos.com/v1/${k}`]));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}

function ruleGroups(): Array<{ name: string; rules: Rule[] }> {
  const rule = withPrometheusOperator().find((o) => o.kind === 'PrometheusRule');
  assert.ok(rule, 'a PrometheusRule is rendered');
  return (rule.spec as { groups: Array<{ name: string; rules: Rule[] }> }).groups;
}

/** The metric names a source file registers (`name: 'silentid_…'`). */
function exported(file: string): string[] {
  return [...readFileSync(join(ROOT, file), 'utf8').matchAll(/name: '(silentid_[a-z_]+)'/g)].map(
    (m) => m[1]!,
  );
}

test('monitors and rules only where the cluster serves monitoring.coreos.com/v1', () => {
  const plain = render();
  assert.deepEqual(
    plain.filter((o) => MONITORING_KINDS.includes(o.kind)),
    [],
    'no custom resources a cluster without the Prometheus Operator would refuse',
  );
  const kinds = withPrometheusOperator().map((o) => o.kind);
  for (const kind of MONITORING_KINDS) assert.ok(kinds.includes(kind), kind);
  assert.deepEqual(
    render('--set', 'monitoring.enabled=false').filter(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-dashboard'),
    ),
    [],
  );
});

test('every alert links to a runbook section that exists', () => {
  const runbooks = readFileSync(join(ROOT, 'docs/operations/runbooks.md'), 'utf8');
  const anchors = new Set([...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1]!.toLowerCase()));
  const alerts = ruleGroups().flatMap((g) => g.rules.filter((r) => r.alert));
  assert.ok(alerts.length >= 6);
  for (const alert of alerts) {
    const anchor = alert.annotations?.runbook_url?.split('#')[1];
    assert.ok(anchor && anchors.has(anchor), `${alert.alert} → runbooks.md#${anchor}`);
  }
});

test('the alerts and the dashboard read only series silentid exports', () => {
  const names = new Set([
    ...exported('services/verifier/src/observability/metrics.ts'),
    ...exported('operator/src/observability/metrics.ts'),
  ]);
  // Histograms add _bucket, _sum and _count; recording rules add their own names.
  const known = (metric: string) =>
    names.has(metric.replace(/_(bucket|sum|count)$/, '')) || metric.startsWith('silentid:');
  const exprs = [
    ...ruleGroups().flatMap((g) => g.rules.map((r) => r.expr)),
    ...(
      JSON.parse(readFileSync(join(CHART, 'dashboards/silentid.json'), 'utf8')) as {
        panels: Array<{ targets: Array<{ expr: string }> }>;
      }
    ).panels.flatMap((p) => p.targets.map((t) => t.expr)),
  ];
  for (const expr of exprs)
    for (const [metric] of expr.matchAll(/silentid[a-z_:0-9]*/g))
      if (!/^silentid_dev_/.test(metric)) assert.ok(known(metric), `${metric} in ${expr}`);
});

/** promtool from SILENTID_PROMTOOL or PATH; .ci/run unpacks Debian's. */
function promtool(): string | undefined {
  const given = process.env.SILENTID_PROMTOOL;
  if (given) return existsSync(given) ? given : undefined;
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'promtool'))
    .find((path) => existsSync(path));
}

const tool = promtool();

test(
  'promtool: the rules are valid and fire as their unit tests expect',
  {
    skip: tool
      ? false
      : 'promtool not found (set SILENTID_PROMTOOL; Debian: apt-get download prometheus, dpkg-deb -x)',
  },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'silentid-rules-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: ruleGroups() }));
      copyFileSync(join(CHART, 'monitoring-tests/alerts.test.yaml'), join(dir, 'alerts.test.yaml'));
      const run = (args: string[]) =>
        execFileSync(tool!, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      assert.match(run(['check', 'rules', 'rules.yaml']), /SUCCESS/);
      assert.match(run(['test', 'rules', 'alerts.test.yaml']), /SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
