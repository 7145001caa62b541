import { Gauge, Registry } from 'prom-client';
import { createCustomMetricExporter } from '../../observability/custom-metric-exporter';

describe('custom metric exporter', () => {
  it('caps the series each org exports, keeps exporting the series it already has, and leaves other orgs their own budget', async () => {
    const processRegistry = new Registry();
    const exporter = createCustomMetricExporter({ processRegistry, maxSeriesPerOrg: 2 });
    const sample = (region: string, value = 1) => ({ name: 'liftos_custom_orders_received', kind: 'counter' as const, labels: { region }, value });

    expect(exporter.record('org-1', [sample('eu'), sample('us')])).toEqual([]);
    expect(exporter.record('org-1', [sample('apac')])).toEqual([{ sample: sample('apac'), reason: 'series_limit' }]);
    expect(exporter.record('org-1', [sample('eu', 4)])).toEqual([]);
    // org-1 filled its budget, not org-2's.
    expect(exporter.record('org-2', [sample('eu'), sample('apac')])).toEqual([]);
    expect(exporter.record('org-2', [sample('us')])).toEqual([{ sample: sample('us'), reason: 'series_limit' }]);

    const exported = await exporter.registry.getSingleMetric('liftos_custom_orders_received')!.get();
    expect(exported.values.map((v) => [v.labels.org_id, v.labels.region, v.value]).sort()).toEqual([
      ['org-1', 'eu', 5],
      ['org-1', 'us', 1],
      ['org-2', 'apac', 1],
      ['org-2', 'eu', 1],
    ]);
    expect((await processRegistry.getSingleMetric('liftos_unexported_custom_samples_total')!.get()).values).toEqual([
      expect.objectContaining({ labels: { reason: 'series_limit' }, value: 2 }),
    ]);
  });

  it("exports nothing under a service metric's name or outside the custom namespace", async () => {
    const processRegistry = new Registry();
    const exporter = createCustomMetricExporter({ processRegistry });
    const names = [
      'process_resident_memory_bytes',
      'http_request_duration_seconds',
      'liftos_alert_signal_worst',
      'temporal_workflow_completed_total',
      'nodejs_heap_size_used_bytes',
      'liftos_unexported_custom_samples_total',
      'liftos_custom_',
    ];
    const samples = names.map((name) => ({ name, kind: 'gauge' as const, labels: {}, value: 1e12 }));
    expect(exporter.record('org-1', samples).map((u) => [u.sample.name, u.reason])).toEqual(names.map((n) => [n, 'reserved_name']));
    // A name the process registry has, even under the prefix, is the service's.
    new Gauge({ name: 'liftos_custom_service_gauge', help: 'a service metric under the prefix', registers: [processRegistry] });
    expect(exporter.record('org-1', [{ name: 'liftos_custom_service_gauge', kind: 'gauge', labels: {}, value: 1 }]).map((u) => u.reason)).toEqual([
      'reserved_name',
    ]);
    expect((await exporter.registry.getMetricsAsJSON()).flatMap((m) => m.values)).toEqual([]);
  });

  it('exports the rollout error ratio gauge in the shape the rules read, whichever org records it first and however', async () => {
    const exporter = createCustomMetricExporter({ processRegistry: new Registry() });
    // Org A tries to claim the name as a counter, then with other labels: only A's samples are refused.
    expect(
      exporter.record('org-a', [{ name: 'liftos_custom_rollout_error_ratio', kind: 'counter', labels: { rollout_id: 'r-a' }, value: 1 }]).map((u) => u.reason),
    ).toEqual(['kind_conflict']);
    expect(
      exporter.record('org-a', [{ name: 'liftos_custom_rollout_error_ratio', kind: 'gauge', labels: { team: 'x' }, value: 1 }]).map((u) => u.reason),
    ).toEqual(['label_conflict']);
    expect(exporter.record('org-b', [{ name: 'liftos_custom_rollout_error_ratio', kind: 'gauge', labels: { rollout_id: 'r-b' }, value: 0.2 }])).toEqual([]);
    expect(await exporter.registry.metrics()).toContain('liftos_custom_rollout_error_ratio{rollout_id="r-b",org_id="org-b"} 0.2');
  });

  it('observes histograms and timers in one family with buckets wide enough for any unit', async () => {
    const exporter = createCustomMetricExporter({ processRegistry: new Registry() });
    expect(
      exporter.record('org-1', [
        { name: 'liftos_custom_export_time', kind: 'timer', labels: {}, value: 250 },
        { name: 'liftos_custom_export_time', kind: 'histogram', labels: {}, value: 0.5 },
      ]),
    ).toEqual([]);
    // `le` is the buckets' label: a histogram cannot take it.
    expect(exporter.record('org-1', [{ name: 'liftos_custom_sizes', kind: 'histogram', labels: { le: '1' }, value: 1 }]).map((u) => u.reason)).toEqual([
      'label_conflict',
    ]);
    const text = await exporter.registry.metrics();
    expect(text).toContain('liftos_custom_export_time_count{org_id="org-1"} 2');
    expect(text).toContain('liftos_custom_export_time_sum{org_id="org-1"} 250.5');
    expect(text).toMatch(/liftos_custom_export_time_bucket\{le="1.024",org_id="org-1"\} 1\n/);
  });
});
