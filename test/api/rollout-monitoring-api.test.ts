import { randomUUID } from 'node:crypto';
import { createAlertEvaluationActivities } from '../../activities/alert-evaluation-activities';
import { insertMetricSamples } from '../../db/repositories/metric-samples';
import type { Connection } from '../../db/schema';
import { ALERT_RULES, type AlertRule } from '../../domain/alert-rules';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { createTestConnection, insertAlert } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const BASE = '/api/v1/rollout-monitoring';

describe('rollout monitoring API', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let taskQueue: string;
  const orgId = `org-mon-${randomUUID().slice(0, 8)}`;
  const otherOrg = `org-mon-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    taskQueue = uniqueName('monitoring-api');
    api = createTestApi(harness, { taskQueue });
  });
  afterAll(() => harness.close());

  const metricName = () => `liftos_custom_test_${randomUUID().slice(0, 8)}`;

  it('exports custom samples to Prometheus under their own names, labelled with the recording org, beside the process metrics on the metrics port', async () => {
    const editor = await api.token(orgId, 'editor');
    const other = await api.token(otherOrg, 'editor');
    const ratio = metricName();
    const requests = metricName();
    const recorded = await api.call('POST', `${BASE}/metrics`, {
      token: editor,
      json: {
        samples: [
          { name: ratio, kind: 'gauge', value: 0.02, labels: { rollout_id: 'r-1' } },
          { name: ratio, kind: 'gauge', value: 0.08, labels: { rollout_id: 'r-1' } },
          { name: requests, kind: 'counter', value: 3, labels: { org_id: 'someone-else' } },
          { name: requests, kind: 'counter', value: 2 },
        ],
      },
    });
    expect(recorded).toMatchObject({ status: 201, json: { recorded: 4, exported: 4, unexported: [] } });
    // Another org's samples: a different kind, or label names the metric was not first recorded with, stay in Postgres only.
    const conflicting = await api.call('POST', `${BASE}/metrics`, {
      token: other,
      json: {
        samples: [
          { name: ratio, kind: 'counter', value: 1, labels: { rollout_id: 'r-2' } },
          { name: ratio, kind: 'gauge', value: 1, labels: { region: 'eu' } },
          { name: ratio, kind: 'gauge', value: 0.5, labels: { rollout_id: 'r-2' } },
        ],
      },
    });
    expect(conflicting.json).toEqual({
      recorded: 3,
      exported: 1,
      unexported: [
        { name: ratio, reason: 'kind_conflict' },
        { name: ratio, reason: 'label_conflict' },
      ],
    });

    // Not on the public port: org ids and label values are for the scraper only.
    expect((await api.call('GET', '/metrics')).status).toBe(404);
    const scrape = await api.scrapeMetrics();
    expect(scrape.status).toBe(200);
    // The gauge holds its last value; the counter adds up, under the recording org whatever org_id the client sent.
    expect(scrape.text).toContain(`${ratio}{rollout_id="r-1",org_id="${orgId}"} 0.08`);
    expect(scrape.text).toContain(`${ratio}{rollout_id="r-2",org_id="${otherOrg}"} 0.5`);
    expect(scrape.text).toContain(`${requests}{org_id="${orgId}"} 5`);
    expect(scrape.text).toContain('liftos_unexported_custom_samples_total{reason="kind_conflict"} 1');
    // Custom metrics are not the process's own: the sampler, which reads the process registry, never stores them again.
    expect(api.metrics.getSingleMetric(ratio)).toBeUndefined();
  });

  it('records custom samples and answers them as series, raw or per step, filtered by labels and scoped to the org', async () => {
    const editor = await api.token(orgId, 'editor');
    const viewer = await api.token(orgId, 'viewer');
    const name = metricName();
    const t0 = new Date(Date.now() - 30 * 60_000);
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000).toISOString();
    const samples = [
      { name, kind: 'gauge', value: 1, labels: { region: 'eu' }, recorded_at: at(0) },
      { name, kind: 'gauge', value: 3, labels: { region: 'eu' }, recorded_at: at(1) },
      { name, kind: 'gauge', value: 10, labels: { region: 'eu' }, recorded_at: at(11) },
      { name, kind: 'gauge', value: 7, labels: { region: 'us' }, recorded_at: at(2) },
    ];
    const recorded = await api.call('POST', `${BASE}/metrics`, { token: editor, json: { samples } });
    expect(recorded).toMatchObject({ status: 201, json: { recorded: 4 } });
    expect((await api.call('POST', `${BASE}/metrics`, { token: editor, json: { name, kind: 'timer', value: 0.25 } })).status).toBe(201);

    const raw = await api.call('GET', `${BASE}/metrics?name=${name}&labels=region=eu&from=${encodeURIComponent(at(-1))}&to=${encodeURIComponent(at(20))}`, {
      token: viewer,
    });
    expect(raw.status).toBe(200);
    expect(raw.json.series).toEqual([
      {
        labels: { region: 'eu' },
        kind: 'gauge',
        points: [
          { at: at(0), value: 1 },
          { at: at(1), value: 3 },
          { at: at(11), value: 10 },
        ],
      },
    ]);

    const stepped = await api.call(
      'GET',
      `${BASE}/metrics?name=${name}&labels=region=eu&step=600&aggregate=avg&from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(20))}`,
      { token: viewer },
    );
    expect(stepped.json).toMatchObject({ step_seconds: 600, aggregate: 'avg' });
    expect(stepped.json.series[0].points).toEqual([
      { at: at(0), value: 2 },
      { at: at(10), value: 10 },
    ]);

    const max = await api.call('GET', `${BASE}/metrics?name=${name}&step=3600&aggregate=max&from=${encodeURIComponent(at(-1))}`, { token: viewer });
    expect(max.json.series.map((s: { labels: unknown; points: Array<{ value: number }> }) => [s.labels, s.points.map((p) => p.value)])).toEqual(
      expect.arrayContaining([
        [{ region: 'eu' }, [10]],
        [{ region: 'us' }, [7]],
      ]),
    );

    // Another org does not see this org's custom metrics.
    const stranger = await api.token(otherOrg, 'viewer');
    expect((await api.call('GET', `${BASE}/metrics?name=${name}&from=${encodeURIComponent(at(-1))}`, { token: stranger })).json.series).toEqual([]);
  });

  it('refuses bad samples and queries with 400 and stores nothing', async () => {
    const editor = await api.token(orgId, 'editor');
    const name = metricName();
    const bad = [
      { name: 'Bad-Name', kind: 'gauge', value: 1 },
      // Outside the custom namespace: the service's own names, and any other, are not an org's to record.
      { name: 'process_resident_memory_bytes', kind: 'gauge', value: 1 },
      { name: 'liftos_alert_signal_worst', kind: 'gauge', value: 1 },
      { name: 'http_request_duration_seconds', kind: 'histogram', value: 1 },
      { name: 'orders_received', kind: 'counter', value: 1 },
      { name: 'liftos_custom_', kind: 'counter', value: 1 },
      { name: `${name}_count`, kind: 'gauge', value: 1 },
      { name, kind: 'counter', value: -1 },
      { name, kind: 'meter', value: 1 },
      { name, kind: 'gauge', value: 1, labels: { __reserved: 'x' } },
      { name, kind: 'gauge', value: 1, labels: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`l${i}`, 'v'])) },
      { name, kind: 'gauge', value: 1, recorded_at: new Date(Date.now() - 3 * 86_400_000).toISOString() },
      { samples: [] },
    ];
    for (const json of bad) {
      const res = await api.call('POST', `${BASE}/metrics`, { token: editor, json });
      expect({ json, status: res.status, code: res.json?.error?.code }).toEqual({ json, status: 400, code: 'validation_error' });
    }
    const rows = await harness.database.db.selectFrom('metric_samples').select('id').where('name', '=', name).execute();
    expect(rows).toEqual([]);
    const shadow = await api.call('POST', `${BASE}/metrics`, { token: editor, json: { name: 'process_resident_memory_bytes', kind: 'gauge', value: 1e12 } });
    expect(shadow.json.error.details).toEqual([{ field: 'name', message: expect.stringContaining('start with liftos_custom_') }]);
    expect(
      await harness.database.db
        .selectFrom('metric_samples')
        .select('id')
        .where('name', '=', 'process_resident_memory_bytes')
        .where('org_id', '=', orgId)
        .execute(),
    ).toEqual([]);

    const viewer = await api.token(orgId, 'viewer');
    for (const query of [
      '',
      `name=${name}&step=0`,
      `name=${name}&labels=nolabel`,
      `name=${name}&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`,
      `name=${name}&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`,
      `name=${name}&aggregate=median&step=60`,
    ]) {
      const res = await api.call('GET', `${BASE}/metrics?${query}`, { token: viewer });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it("a service rule reads the service's samples only: an org's sample under a service metric's name fires nothing", async () => {
    // A service metric of this test (like process_resident_memory_bytes), and a sample an org stored under its name
    // (as POST accepted before custom names had their prefix).
    const metric = `process_test_memory_${randomUUID().slice(0, 8)}_bytes`;
    const base = ALERT_RULES.find((r) => r.id === 'process_memory_high')!;
    const rule: AlertRule = { ...base, id: `test_${metric}`, signal: { kind: 'metric', metric, aggregate: 'max' } };
    await insertMetricSamples(harness.database.db, [{ name: metric, kind: 'gauge', labels: {}, value: 1e12, orgId, source: 'api_custom' }]);
    const activities = createAlertEvaluationActivities({
      db: harness.database.db,
      rules: [rule],
      rollbacks: { requestRollback: async () => ({ signalled: false }) },
      webhook: { url: undefined, secret: undefined },
      retentionDays: 14,
    });
    expect((await activities.evaluateAlertRules()).changes).toEqual([]);
    // The service's own sample does fire it, deployment-wide.
    await insertMetricSamples(harness.database.db, [{ name: metric, kind: 'gauge', labels: {}, value: 2 * 1024 ** 3, orgId: null, source: 'worker' }]);
    expect((await activities.evaluateAlertRules()).changes.map((c) => c.event)).toEqual(['fired']);
    const alerts = await harness.database.db.selectFrom('alerts').select(['org_id', 'value']).where('rule_id', '=', rule.id).execute();
    expect(alerts).toEqual([{ org_id: null, value: expect.anything() }]);
    expect(Number(alerts[0]!.value)).toBe(2 * 1024 ** 3);
    // Nor does the GET of a service metric show an org's look-alike samples.
    const viewer = await api.token(orgId, 'viewer');
    const series = await api.call('GET', `${BASE}/metrics?name=${metric}&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`, {
      token: viewer,
    });
    expect(series.json.series.flatMap((s: { points: Array<{ value: number }> }) => s.points.map((p) => p.value))).toEqual([2 * 1024 ** 3]);
  });

  it("lists alerts with filters, resolves one by hand once, and hides other orgs' alerts", async () => {
    // Alerts made by the real evaluation activity over a rule on a metric of this test.
    const metric = metricName();
    const base = ALERT_RULES.find((r) => r.id === 'rollout_error_rate_critical')!;
    const rule: AlertRule = {
      ...base,
      id: `test_${metric}`,
      severity: 'high',
      type: 'performance',
      signal: { kind: 'metric', metric, aggregate: 'max' },
      threshold: 5,
    };
    const editor = await api.token(orgId, 'editor');
    await api.call('POST', `${BASE}/metrics`, {
      token: editor,
      json: {
        samples: [
          { name: metric, kind: 'gauge', value: 9, labels: { service: 'a' } },
          { name: metric, kind: 'gauge', value: 8, labels: { service: 'b' } },
        ],
      },
    });
    const activities = createAlertEvaluationActivities({
      db: harness.database.db,
      rules: [rule],
      rollbacks: { requestRollback: async () => ({ signalled: true }) },
      webhook: { url: undefined, secret: undefined },
      retentionDays: 14,
    });
    const { changes } = await activities.evaluateAlertRules();
    expect(changes.map((c) => c.event)).toEqual(['fired', 'fired']);

    const viewer = await api.token(orgId, 'viewer');
    const listed = await api.call('GET', `${BASE}/alerts?rule_id=${rule.id}&status=firing&severity=high&type=performance`, { token: viewer });
    expect(listed.status).toBe(200);
    expect(listed.json.alerts).toHaveLength(2);
    expect(listed.json.alerts[0]).toMatchObject({ rule_id: rule.id, type: 'performance', severity: 'high', status: 'firing', scope: 'org', threshold: 5 });
    expect((await api.call('GET', `${BASE}/alerts?rule_id=${rule.id}&severity=critical`, { token: viewer })).json.alerts).toEqual([]);
    expect((await api.call('GET', `${BASE}/alerts?severity=urgent`, { token: viewer })).status).toBe(400);

    const target = listed.json.alerts.find((a: { labels: { service: string } }) => a.labels.service === 'a');
    const stranger = await api.token(otherOrg, 'editor');
    expect((await api.call('POST', `${BASE}/alerts/${target.id}/resolve`, { token: stranger })).status).toBe(404);
    expect((await api.call('GET', `${BASE}/alerts?rule_id=${rule.id}`, { token: stranger })).json.alerts).toEqual([]);

    const resolved = await api.call('POST', `${BASE}/alerts/${target.id}/resolve`, { token: editor });
    expect(resolved).toMatchObject({ status: 200, json: { id: target.id, status: 'resolved', resolved_by: 'editor-user' } });
    const again = await api.call('POST', `${BASE}/alerts/${target.id}/resolve`, { token: editor });
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'alert_already_resolved' } } });
    expect((await api.call('POST', `${BASE}/alerts/not-a-uuid/resolve`, { token: editor })).status).toBe(400);
    expect(
      (await api.call('GET', `${BASE}/alerts?rule_id=${rule.id}&status=open`, { token: viewer })).json.alerts.map((a: { labels: unknown }) => a.labels),
    ).toEqual([{ service: 'b' }]);
    const audit = await harness.database.db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('action', '=', 'alert.resolve').execute();
    expect(audit.map((a) => a.target_id)).toEqual([target.id]);

    const rules = await api.call('GET', `${BASE}/alerts/rules`, { token: viewer });
    expect(rules.json.types).toEqual(['performance', 'error_rate', 'data_quality', 'connection_failure', 'security', 'capacity', 'anomaly']);
    expect(rules.json.rules.map((r: { type: string }) => r.type)).toEqual(expect.arrayContaining(rules.json.types));
  });

  it('leaves deployment-wide alerts (no org) to deployment operators: org editors and admins see them but cannot resolve them', async () => {
    const insert = async (org: string | null) => ({
      id: await insertAlert(harness.database.db, {
        orgId: org,
        type: 'capacity',
        severity: 'high',
        labels: { service: 'worker' },
        summary: 'worker memory high',
      }),
    });
    const deploymentWide = await insert(null);
    const ofTheOrg = await insert(orgId);
    const resolve = (id: string, token: string) => api.call('POST', `${BASE}/alerts/${id}/resolve`, { token });

    const viewer = await api.token(orgId, 'viewer');
    expect((await api.call('GET', `${BASE}/alerts?status=open&limit=500`, { token: viewer })).json.alerts.map((a: { id: string }) => a.id)).toEqual(
      expect.arrayContaining([deploymentWide.id, ofTheOrg.id]),
    );
    for (const role of ['editor', 'admin'] as const) {
      const refused = await resolve(deploymentWide.id, await api.token(orgId, role));
      expect({ role, status: refused.status, code: refused.json?.error?.code }).toEqual({ role, status: 403, code: 'forbidden' });
    }
    const operator = await api.operatorToken('ops-1');
    // The operator lists the deployment's alerts only, and resolves none of an org's.
    const listed = (await api.call('GET', `${BASE}/alerts?status=open&limit=500`, { token: operator })).json.alerts.map((a: { id: string }) => a.id);
    expect(listed).toContain(deploymentWide.id);
    expect(listed).not.toContain(ofTheOrg.id);
    expect((await resolve(ofTheOrg.id, operator)).status).toBe(404);
    expect(await resolve(deploymentWide.id, operator)).toMatchObject({
      status: 200,
      json: { id: deploymentWide.id, status: 'resolved', resolved_by: 'ops-1' },
    });
    const audit = await harness.database.db
      .selectFrom('audit_log')
      .select(['org_id', 'actor_role', 'outcome'])
      .where('action', '=', 'alert.resolve')
      .where('target_id', '=', deploymentWide.id)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { org_id: orgId, actor_role: 'editor', outcome: 'denied' },
      { org_id: orgId, actor_role: 'admin', outcome: 'denied' },
      { org_id: null, actor_role: 'operator', outcome: 'success' },
    ]);
  });

  it('dashboard: sync success rates per platform, open alerts and connections of the org', async () => {
    const dashOrg = `org-dash-${randomUUID().slice(0, 8)}`;
    const meta = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock', orgId: dashOrg });
    const google = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId: dashOrg });
    const log = (connection: Connection, status: 'completed' | 'failed', seconds: number) => {
      const startedAt = new Date(Date.now() - 3_600_000);
      return {
        connection_id: connection.id,
        org_id: dashOrg,
        platform: connection.platform,
        workflow_id: `w-${randomUUID()}`,
        run_id: randomUUID(),
        status,
        source: 'mock' as const,
        window_start: '2026-01-01',
        window_end: '2026-01-02',
        started_at: startedAt,
        finished_at: new Date(startedAt.getTime() + seconds * 1000),
        error: status === 'failed' ? 'boom' : null,
        checkpoint: null,
      };
    };
    await harness.database.db
      .insertInto('data_sync_logs')
      .values([log(meta, 'completed', 10), log(meta, 'completed', 20), log(meta, 'completed', 30), log(meta, 'failed', 5), log(google, 'failed', 5)])
      .execute();
    const viewer = await api.token(dashOrg, 'viewer');
    const res = await api.call('GET', `${BASE}/dashboard?hours=6`, { token: viewer });
    expect(res.status).toBe(200);
    expect(res.json.syncs).toEqual([
      { platform: 'google_ads', completed: 0, failed: 1, cancelled: 0, running: 0, success_rate: 0, avg_duration_seconds: null },
      { platform: 'meta_business', completed: 3, failed: 1, cancelled: 0, running: 0, success_rate: 0.75, avg_duration_seconds: 20 },
    ]);
    expect(res.json.connections).toEqual({ active: 2 });
    expect(res.json.alerts.open).toMatchObject({
      low: expect.any(Number),
      medium: expect.any(Number),
      high: expect.any(Number),
      critical: expect.any(Number),
      total: expect.any(Number),
    });
    expect((await api.call('GET', `${BASE}/dashboard?hours=0`, { token: viewer })).status).toBe(400);
  });

  it("health: 503 while no worker polls the task queue, 200 with the worker's last poll once one does", async () => {
    const viewer = await api.token(orgId, 'viewer');
    const before = await api.call('GET', `${BASE}/health`, { token: viewer });
    expect(before).toMatchObject({ status: 503, json: { status: 'degraded', checks: { postgres: 'ok', temporal: 'ok' }, workers: [] } });
    const worker = await startTestSyncWorker(harness, { taskQueue });
    try {
      // The worker shows once its first poll has reached the server.
      const after = await waitFor(
        () => api.call('GET', `${BASE}/health`, { token: viewer }),
        (r) => r.status === 200,
        { timeoutMs: 10_000, what: 'a live worker in health' },
      );
      expect(after).toMatchObject({ status: 200, json: { status: 'ok', checks: { postgres: 'ok', temporal: 'ok', workers: 'ok' }, task_queue: taskQueue } });
      expect(after.json.workers[0]).toMatchObject({ live: true, last_poll_at: expect.any(String) });
    } finally {
      await worker.stop();
    }
  });
});
