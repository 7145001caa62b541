import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { createTestApi } from '../setup/api-client';
import { createTestWorkerActivities, openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

/** The bullet of docs/operations.md's Metrics section that starts with `- {process} (`, nested lines included. */
function documentedMetrics(process: 'API' | 'Worker'): string {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## Metrics\n'));
  const start = section.indexOf(`\n- ${process} (`);
  expect(start).toBeGreaterThan(0);
  const rest = section.slice(start + 1);
  const end = rest.search(/\n(- |\n)/);
  return end === -1 ? rest : rest.slice(0, end);
}

/** Every metric the registry holds, with its label names, as a process composed this way exports them. */
function registered(registry: Registry): { name: string; labels: string[] }[] {
  return registry
    .getMetricsAsArray()
    .map((metric) => ({ name: metric.name, labels: [...((metric as unknown as { labelNames?: string[] }).labelNames ?? [])].sort() }));
}

/** The bullet names the metric with its labels (`name{a,b}`, or `name` alone for a metric without labels), and never with others. */
function expectDocumented(bullet: string, metric: { name: string; labels: string[] }): void {
  const mentions = [...bullet.matchAll(new RegExp(`\`${metric.name}(\\{([^}]*)\\})?\``, 'g'))].map((m) => (m[2] === undefined ? [] : m[2].split(',').sort()));
  const spelled = mentions.filter((labels) => labels.length > 0 || metric.labels.length === 0);
  expect({ metric: metric.name, mentions: spelled.length > 0 ? spelled : 'none with its labels' }).toEqual({
    metric: metric.name,
    mentions: spelled.map(() => metric.labels),
  });
  for (const labels of mentions) if (labels.length > 0) expect({ metric: metric.name, labels }).toEqual({ metric: metric.name, labels: metric.labels });
}

describe('the metrics docs/operations.md lists', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('name every metric the worker registers, with its labels', () => {
    const { metricsRegistry } = createTestWorkerActivities(harness, { taskQueue: uniqueName('metrics-docs') });
    const metrics = registered(metricsRegistry);
    // The composed worker registers its sync, platform request, quota limiter and alert metrics.
    expect(metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['liftos_syncs_started_total', 'liftos_platform_requests_reserved_total', 'liftos_alerts_open']),
    );
    const bullet = documentedMetrics('Worker');
    for (const metric of metrics) expectDocumented(bullet, metric);
  });

  it('name every metric the API registers, with its labels', async () => {
    const api = createTestApi(harness, { taskQueue: uniqueName('metrics-docs') });
    // A request, so the request histogram exists however it is registered.
    expect((await api.call('GET', '/health')).status).toBe(200);
    const metrics = registered(api.metrics);
    expect(metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['http_request_duration_seconds', 'liftos_platform_request_duration_seconds']));
    const bullet = documentedMetrics('API');
    for (const metric of metrics) expectDocumented(bullet, metric);
  });

  it('would catch a metric it does not name', () => {
    expect(() => expectDocumented(documentedMetrics('API'), { name: 'liftos_not_documented_total', labels: [] })).toThrow();
    expect(() => expectDocumented('`liftos_alerts_open{type}`', { name: 'liftos_alerts_open', labels: ['severity', 'type'] })).toThrow();
  });
});
