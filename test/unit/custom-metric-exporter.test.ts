import { Registry } from 'prom-client';
import { createCustomMetricExporter } from '../../observability/custom-metric-exporter';

describe('custom metric exporter', () => {
  it('caps the series a process exports, and keeps exporting the series it already has', async () => {
    const processRegistry = new Registry();
    const exporter = createCustomMetricExporter({ processRegistry, maxSeries: 2 });
    const sample = (region: string, value = 1) => ({ name: 'orders_received', kind: 'counter' as const, labels: { region }, value });

    expect(exporter.record('org-1', [sample('eu'), sample('us')])).toEqual([]);
    expect(exporter.record('org-1', [sample('apac')])).toEqual([{ sample: sample('apac'), reason: 'series_limit' }]);
    expect(exporter.record('org-1', [sample('eu', 4)])).toEqual([]);

    const exported = await exporter.registry.getSingleMetric('orders_received')!.get();
    expect(exported.values.map((v) => [v.labels.region, v.value]).sort()).toEqual([
      ['eu', 5],
      ['us', 1],
    ]);
    expect((await processRegistry.getSingleMetric('liftos_custom_metric_samples_unexported_total')!.get()).values).toEqual([expect.objectContaining({ labels: { reason: 'series_limit' }, value: 1 })]);
  });

  it('observes histograms and timers in one family with buckets wide enough for any unit', async () => {
    const exporter = createCustomMetricExporter({ processRegistry: new Registry() });
    expect(exporter.record('org-1', [{ name: 'export_time', kind: 'timer', labels: {}, value: 250 }, { name: 'export_time', kind: 'histogram', labels: {}, value: 0.5 }])).toEqual([]);
    const text = await exporter.registry.metrics();
    expect(text).toContain('export_time_count{org_id="org-1"} 2');
    expect(text).toContain('export_time_sum{org_id="org-1"} 250.5');
    expect(text).toMatch(/export_time_bucket\{le="1.024",org_id="org-1"\} 1\n/);
  });
});
