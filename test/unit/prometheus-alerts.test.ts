import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { requestMetrics } from '../../api/middleware/request-metrics';
import { ALERT_RULES } from '../../domain/alert-rules';
import { isCustomMetricName } from '../../domain/metric-sample';
import { createCustomMetricExporter } from '../../observability/custom-metric-exporter';
import { createAlertMetrics } from '../../observability/alert-metrics';
import { createSyncMetrics } from '../../observability/sync-metrics';

/** promtool from scripts/ensure-promtool (scripts/test exports PROMTOOL), else on PATH. */
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const DIR = resolve(__dirname, '..', '..', 'ops', 'prometheus');

interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
}
const groups = (parse(readFileSync(join(DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: AlertingRule[] }> }).groups;
const alerts = groups.flatMap((g) => g.rules);

function promtool(...args: string[]) {
  const run = spawnSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}${run.error ? String(run.error) : ''}` };
}

describe('ops/prometheus alerting rules', () => {
  it('pass promtool check rules, and the Prometheus config that loads them passes check config', () => {
    const rules = promtool('check', 'rules', 'alerts.yml');
    expect(rules).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${alerts.length} rules found`) });
    const config = promtool('check', 'config', 'prometheus.yml');
    expect(config).toEqual({ status: 0, output: expect.stringContaining('1 rule files found') });
  });

  it('behave as intended on synthetic series (promtool test rules)', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it("mirror every rule of the app's catalogue with the same type, severity and escalations", () => {
    for (const rule of ALERT_RULES) {
      const mirrored = alerts.filter((a) => a.labels.rule_id === rule.id);
      const expected = [rule.severity, ...rule.escalation.map((s) => s.severity)];
      expect({ rule: rule.id, severities: mirrored.map((a) => a.labels.severity), types: [...new Set(mirrored.map((a) => a.labels.type))] }).toEqual({
        rule: rule.id,
        severities: expected,
        types: [rule.type],
      });
      // Each escalation step is an alert held for the step's duration.
      const seconds = (d: string | undefined) => (d ? Number(d.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[d.slice(-1) as 's' | 'm' | 'h'] : 0);
      expect(mirrored.map((a) => seconds(a.for))).toEqual([0, ...rule.escalation.map((s) => s.afterSeconds)]);
    }
    for (const a of alerts) expect(ALERT_RULES.map((r) => r.id)).toContain(a.labels.rule_id);
  });

  it('read only metrics the API and the worker export', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    createSyncMetrics(registry);
    createAlertMetrics(registry);
    const app = new Hono().use(requestMetrics(registry)).get('/', (c) => c.text('ok'));
    await app.request('/');
    // The catalogue's custom metrics are exported by the API once a caller records them.
    const custom = createCustomMetricExporter({ processRegistry: registry });
    for (const rule of ALERT_RULES) {
      if (rule.signal.kind === 'metric' && isCustomMetricName(rule.signal.metric))
        expect(custom.record('org-1', [{ name: rule.signal.metric, kind: 'gauge', labels: {}, value: 0 }])).toEqual([]);
    }
    const exported = new Set<string>();
    for (const metric of [...(await registry.getMetricsAsJSON()), ...(await custom.registry.getMetricsAsJSON())]) {
      exported.add(metric.name);
      if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${metric.name}${suffix}`);
    }
    const used = new Set(alerts.flatMap((a) => a.expr.match(/\b(liftos_[a-z_]+|http_[a-z_]+|process_[a-z_]+|nodejs_[a-z_]+)\b/g) ?? []));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
  });
});
