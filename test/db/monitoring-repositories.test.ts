import { randomUUID } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { observeAlertSignal } from '../../db/monitoring/alert-signals';
import { deleteMetricSamplesBefore, insertMetricSamples } from '../../db/repositories/metric-samples';
import type { Connection } from '../../db/schema';
import { startMetricSampler } from '../../observability/metric-sampler';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, type TestHarness } from '../setup/test-harness';

describe('monitoring on Postgres', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  it('the sampler stores counter and histogram increases, gauges as read, nothing for series that did not move, and only sampled metrics', async () => {
    const suffix = randomUUID().slice(0, 8);
    const registry = new Registry();
    const counter = new Counter({ name: `liftos_test_events_${suffix}_total`, help: 'h', labelNames: ['platform'], registers: [registry] });
    const gauge = new Gauge({ name: `liftos_test_depth_${suffix}`, help: 'h', registers: [registry] });
    const histogram = new Histogram({ name: `liftos_test_seconds_${suffix}`, help: 'h', buckets: [1, 10], registers: [registry] });
    new Counter({ name: `other_lib_${suffix}_total`, help: 'h', registers: [registry] }).inc(5);
    const sampler = startMetricSampler({ registry, db: harness.database.db, source: `test-${suffix}`, intervalMs: 3_600_000 });
    try {
      counter.inc({ platform: 'meta' }, 3);
      gauge.set(7);
      histogram.observe(2);
      histogram.observe(4);
      await sampler.sampleOnce();
      counter.inc({ platform: 'meta' }, 2);
      counter.inc({ platform: 'google' });
      gauge.set(4);
      await sampler.sampleOnce();
      await sampler.sampleOnce(); // nothing moved: the gauge alone is written
    } finally {
      await sampler.stop();
    }
    const rows = await harness.database.db
      .selectFrom('metric_samples')
      .select(['name', 'kind', 'labels', 'value'])
      .where('source', '=', `test-${suffix}`)
      .orderBy('id')
      .execute();
    const of = (name: string) => rows.filter((r) => r.name === name).map((r) => [r.labels, r.value]);
    expect(of(`liftos_test_events_${suffix}_total`)).toEqual([
      [{ platform: 'meta' }, 3],
      [{ platform: 'meta' }, 2],
      [{ platform: 'google' }, 1],
    ]);
    expect(of(`liftos_test_depth_${suffix}`)).toEqual([
      [{}, 7],
      [{}, 4],
      [{}, 4],
    ]);
    expect(of(`liftos_test_seconds_${suffix}_count`)).toEqual([[{}, 2]]);
    expect(of(`liftos_test_seconds_${suffix}_sum`)).toEqual([[{}, 6]]);
    expect(rows.filter((r) => r.name.startsWith('other_lib') || r.name.endsWith('_bucket'))).toEqual([]);
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['counter', 'gauge', 'histogram']));
  });

  it('retention deletes only samples older than the cutoff', async () => {
    const name = `test_retention_${randomUUID().slice(0, 8)}`;
    const day = 86_400_000;
    await insertMetricSamples(
      harness.database.db,
      [30, 20, 1].map((days) => ({
        name,
        kind: 'gauge' as const,
        labels: {},
        value: days,
        orgId: null,
        source: 'test',
        recordedAt: new Date(Date.now() - days * day),
      })),
    );
    await deleteMetricSamplesBefore(harness.database.db, new Date(Date.now() - 14 * day));
    const left = await harness.database.db.selectFrom('metric_samples').select('value').where('name', '=', name).execute();
    expect(left.map((r) => r.value)).toEqual([1]);
  });

  describe('alert signals over sync logs and the audit log', () => {
    const orgId = `org-signals-${randomUUID().slice(0, 8)}`;
    let meta: Connection;
    let google: Connection;
    const to = new Date();
    const from = new Date(to.getTime() - 3_600_000);

    beforeAll(async () => {
      meta = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock', orgId });
      google = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId });
      // Oldest first: meta ok, ok, ok (1000 rows each), then 50 rows, then two failures; google ok ×3.
      const logs = [
        [meta, 'completed', 1000, 10],
        [meta, 'completed', 1000, 20],
        [meta, 'completed', 1000, 30],
        [meta, 'completed', 50, 40],
        [meta, 'failed', 0, 900],
        [meta, 'failed', 0, 1200],
        [google, 'completed', 10, 5],
        [google, 'completed', 10, 5],
        [google, 'completed', 10, 5],
      ] as const;
      await harness.database.db
        .insertInto('data_sync_logs')
        .values(
          logs.map(([c, status, written, seconds], i) => {
            const startedAt = new Date(to.getTime() - 50 * 60_000 + i * 60_000);
            return {
              connection_id: c.id,
              org_id: orgId,
              platform: c.platform,
              workflow_id: `w-${randomUUID()}`,
              run_id: randomUUID(),
              status,
              source: 'mock' as const,
              window_start: '2026-01-01',
              window_end: '2026-01-02',
              started_at: startedAt,
              finished_at: new Date(startedAt.getTime() + seconds * 1000),
              records_written: written,
              error: status === 'failed' ? 'x' : null,
              checkpoint: null,
            };
          }),
        )
        .execute();
    });

    const mine = async (kind: Parameters<typeof observeAlertSignal>[1]) =>
      (await observeAlertSignal(harness.database.db, kind, { from, to: new Date(Date.now() + 3_600_000) }))
        .filter((o) => o.orgId === orgId)
        .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

    it('error rate per platform, skipping platforms with too few syncs', async () => {
      expect(await mine({ kind: 'sync_error_rate', minSyncs: 4 })).toEqual([{ orgId, labels: { platform: 'meta_business' }, value: 2 / 6 }]);
    });

    it('failure streak and volume ratio per connection', async () => {
      expect(await mine({ kind: 'sync_failure_streak' })).toEqual([{ orgId, labels: { connection_id: meta.id, platform: 'meta_business' }, value: 2 }]);
      expect(await mine({ kind: 'sync_volume_ratio', minBaselineSyncs: 3 })).toEqual([
        { orgId, labels: { connection_id: meta.id, platform: 'meta_business' }, value: 0.05 },
      ]);
    });

    it('p95 sync duration per platform', async () => {
      const [g, m] = await mine({ kind: 'sync_duration_p95' });
      expect(g).toMatchObject({ labels: { platform: 'google_ads' }, value: 5 });
      expect(m!.value).toBeCloseTo(1125, 0);
    });
  });
});
