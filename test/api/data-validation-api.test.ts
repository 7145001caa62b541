import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createValidationReportGate } from '../../db/validation-report-gate';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';
const API = '/api/v1/data-validation';

describe('data validation API', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  const orgId = `org-dv-${randomUUID().slice(0, 8)}`;
  let viewer: string;
  let editor: string;
  let stranger: string;
  let googleId: string;
  let metaId: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    const taskQueue = uniqueName('dv-api');
    worker = await startTestSyncWorker(harness, { taskQueue });
    api = createTestApi(harness, { taskQueue });
    viewer = await api.token(orgId, 'viewer');
    editor = await api.token(orgId, 'editor');
    stranger = await api.token(`org-other-${randomUUID().slice(0, 8)}`, 'admin');
    // Two connections synced from the mock source (the last 30 days) through the real sync workflow.
    for (const [platform, account] of [
      ['google_ads', '800001'],
      ['meta_business', 'act_800002'],
    ] as const) {
      const id = (await api.call('POST', CONNECTIONS, { token: editor, json: { platform, data_mode: 'mock', credentials: {}, account_id: account } })).json.id;
      const connection = await harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue)).result();
      if (platform === 'google_ads') googleId = id;
      else metaId = id;
    }
  });
  const reportCount = async (connectionId: string) =>
    Number(
      (
        await harness.database.db
          .selectFrom('data_validation_reports')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('connection_id', '=', connectionId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  it('GET …/validate runs the validation through its workflow and answers the report', async () => {
    const res = await api.call('GET', `${API}/connections/${googleId}/validate?source=mock`, { token: viewer });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ connection_id: googleId, platform: 'google_ads', source: 'mock', row_count: 30 * 18 });
    expect(res.json.workflow_id).toBe(`data-validation:${googleId}:mock`);
    expect(res.json.served).toBe('run');
    expect(res.json.rules.map((r: any) => r.rule_id)).toEqual([
      'daily_freshness',
      'weekly_availability',
      'required_fields',
      'volume_consistency',
      'metric_relationships',
      'value_ranges',
      'cross_platform_consistency',
      'temporal_consistency',
      'meta_account_structure',
      'google_ads_quality_score',
    ]);
    expect(res.json.rules.find((r: any) => r.rule_id === 'google_ads_quality_score')).toMatchObject({ severity: 'low', applicable: true, passed: true });
    expect(res.json.metrics.freshness).toMatchObject({ span_days: 30, freshness_score: 100 });
    expect(res.json.metrics.reliability).toMatchObject({ connection_status: 'active', sync_success_rate: 100 });
    expect(res.json.metrics.completeness.overall).toBe(100);
    const stored = await harness.database.db.selectFrom('data_validation_reports').select('id').where('workflow_id', '=', res.json.workflow_id).execute();
    expect(stored.map((s) => s.id)).toEqual([res.json.report_id]);
  });

  it('flags a defect planted in the synced rows, with samples and recommendations, and keeps the history', async () => {
    const planted = await sql<{ entity_id: string; date: string }>`
      update marketing_metrics set clicks = impressions + 5, spend = (impressions + 5) * 0.5
      where (connection_id, stream, entity_id, date, source) = (select connection_id, stream, entity_id, date, source from marketing_metrics where connection_id = ${googleId} order by date, entity_id limit 1)
      returning entity_id, date::text as date`.execute(harness.database.db);
    // The report of the test above is fresh: an editor forces a new run.
    const res = await api.call('GET', `${API}/connections/${googleId}/validate?refresh=true&source=mock`, { token: editor });
    expect(res.status).toBe(200);
    const rule = res.json.rules.find((r: any) => r.rule_id === 'metric_relationships');
    expect(rule).toMatchObject({ passed: false, violations: 1, severity: 'high' });
    expect(rule.samples).toEqual([
      { stream: 'ad_performance', entity_id: planted.rows[0]!.entity_id, date: planted.rows[0]!.date, detail: 'clicks > impressions' },
    ]);
    expect(res.json.score).toBeLessThan(100);
    expect(res.json.recommendations[0]).toMatchObject({ rule_id: 'metric_relationships', severity: 'high' });

    const history = await api.call('GET', `${API}/connections/${googleId}/reports?limit=5&source=mock`, { token: viewer });
    expect(history.status).toBe(200);
    expect(history.json.reports).toHaveLength(2);
    expect(history.json.reports[0]).toMatchObject({ report_id: res.json.report_id, failed_rules: ['metric_relationships'], critical_failed: false });
    expect(history.json.reports[1].score).toBeGreaterThan(history.json.reports[0].score);
  });

  it('POST …/validate-async answers the workflow id; its result is readable later', async () => {
    expect((await api.call('POST', `${API}/connections/${metaId}/validate-async`, { token: viewer })).status).toBe(403);
    const started = await api.call('POST', `${API}/connections/${metaId}/validate-async?source=mock`, { token: editor });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({
      workflow_id: `data-validation:${metaId}:mock`,
      run_id: expect.any(String),
      result_url: expect.stringContaining(`?run_id=${started.json.run_id}`),
    });
    const done = await waitFor(
      async () => (await api.call('GET', started.json.result_url, { token: viewer })).json,
      (body) => body.status !== 'running',
      { timeoutMs: 30_000, what: 'async validation finished' },
    );
    expect(done).toMatchObject({ status: 'completed', workflow_id: started.json.workflow_id, report: { connection_id: metaId, platform: 'meta_business' } });
    expect(done.report.rules.find((r: any) => r.rule_id === 'meta_account_structure')).toMatchObject({ applicable: true, passed: true });
  });

  it('GET …/validate-all validates every connection of the org; quality-summary and validation-rules read them', async () => {
    // Both reports are fresh: a viewer's validate-all serves them as stored, and an editor forces a run of both.
    const stored = await api.call('GET', `${API}/connections/validate-all?concurrency=2&source=mock`, { token: viewer });
    expect(stored.json).toMatchObject({ workflow_id: null, source: 'mock', served: 'stored', total: 2, validated: 2, failed: 0 });
    const all = await api.call('GET', `${API}/connections/validate-all?concurrency=2&refresh=true&source=mock`, { token: editor });
    expect(all.status).toBe(200);
    expect(all.json).toMatchObject({ workflow_id: `validate-all:org:${orgId}:mock`, source: 'mock', served: 'run', total: 2, validated: 2, failed: 0 });
    expect(all.json.results.map((r: any) => r.connection_id).sort()).toEqual([googleId, metaId].sort());

    const summary = await api.call('GET', `${API}/quality-summary?source=mock`, { token: viewer });
    expect(summary.status).toBe(200);
    expect(summary.json).toMatchObject({ source: 'mock', connections_validated: 2 });
    const latestScores = all.json.results.map((r: any) => r.score);
    expect(summary.json.average_score).toBe(Math.round((10 * latestScores.reduce((a: number, b: number) => a + b, 0)) / 2) / 10);
    expect(summary.json.platforms.map((p: any) => p.platform)).toEqual(['google_ads', 'meta_business']);
    expect(summary.json.failing_rules).toContainEqual({ rule_id: 'metric_relationships', connections: 1 });
    expect(summary.json.trend.at(-1).reports).toBeGreaterThanOrEqual(5);

    // The quality gate reads the latest stored report on the rows that serve the connection (mock here): Google's relationship failure is High, not Critical, and 85.7 ≥ 75.
    const gate = createValidationReportGate({ db: harness.database.db });
    expect(await gate({ connectionId: googleId })).toMatchObject({ pass: true, score: all.json.results.find((r: any) => r.connection_id === googleId).score });
    expect(await gate({ connectionId: googleId, policy: { minScore: 90 } })).toMatchObject({ pass: false, reason: 'score_below_minimum' });
    expect(await gate({ connectionId: randomUUID() })).toMatchObject({ pass: false, reason: 'no_report' });

    const rules = await api.call('GET', `${API}/validation-rules`, { token: viewer });
    expect(rules.status).toBe(200);
    expect(rules.json.rules).toHaveLength(10);
    expect(rules.json.rules.find((r: any) => r.id === 'required_fields')).toMatchObject({ severity: 'critical', weight: 3 });
    expect(rules.json.rules.find((r: any) => r.id === 'google_ads_quality_score')).toMatchObject({ severity: 'low', weight: 1, platforms: ['google_ads'] });
  });

  it('reads live rows unless the caller asks for mock, and says which it served', async () => {
    const mock = await api.call('GET', `${API}/connections/${metaId}/validate?source=mock`, { token: viewer });
    expect(mock.json).toMatchObject({ source: 'mock', row_count: 30 * 18 });
    // The mock-served connection has no live row: a validation by default judges none, and says it judged live.
    const byDefault = await api.call('GET', `${API}/connections/${metaId}/validate`, { token: viewer });
    expect(byDefault.status).toBe(200);
    expect(byDefault.json).toMatchObject({ source: 'live', row_count: 0 });
    const stored = await harness.database.db
      .selectFrom('data_validation_reports')
      .select(['id', 'source'])
      .where('id', 'in', [byDefault.json.report_id, mock.json.report_id])
      .orderBy('validated_at')
      .execute();
    expect(stored).toEqual([
      { id: mock.json.report_id, source: 'mock' },
      { id: byDefault.json.report_id, source: 'live' },
    ]);

    // Report listings and the summary cover one source too, live by default.
    const liveHistory = await api.call('GET', `${API}/connections/${metaId}/reports`, { token: viewer });
    expect(liveHistory.json.source).toBe('live');
    expect(liveHistory.json.reports.map((r: any) => r.source)).toEqual(['live']);
    const mockHistory = await api.call('GET', `${API}/connections/${metaId}/reports?source=mock`, { token: viewer });
    expect(mockHistory.json.reports.length).toBeGreaterThan(1);
    expect(mockHistory.json.reports.every((r: any) => r.source === 'mock')).toBe(true);
    const summary = await api.call('GET', `${API}/quality-summary`, { token: viewer });
    expect(summary.json).toMatchObject({ source: 'live', connections_validated: 1 });
    expect(summary.json.lowest.map((r: any) => [r.connection_id, r.source])).toEqual([[metaId, 'live']]);

    // The rollouts' quality gate still judges a mock-served connection by its mock report, not by the later, empty live one.
    const gate = createValidationReportGate({ db: harness.database.db });
    expect(await gate({ connectionId: metaId })).toMatchObject({ pass: true, score: mock.json.score });

    for (const path of [
      `${API}/connections/${metaId}/validate?source=all`,
      `${API}/connections/${metaId}/reports?source=MOCK`,
      `${API}/quality-summary?source=`,
    ]) {
      const res = await api.call('GET', path, { token: viewer });
      expect({ path, status: res.status, code: res.json.error.code }).toEqual({ path, status: 400, code: 'validation_error' });
    }
  });

  it("a viewer's GET validate serves the fresh report without starting a workflow; only an editor can force a run", async () => {
    // Meta's latest report (of the forced validate-all above) is minutes old: fresh.
    const latest = await harness.database.db
      .selectFrom('data_validation_reports')
      .select(['id', 'run_id'])
      .where('connection_id', '=', metaId)
      .orderBy('validated_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const reportsBefore = await reportCount(metaId);
    const latestRun = async () =>
      (
        await harness.temporal.client.workflow
          .getHandle(`data-validation:${metaId}:live`)
          .describe()
          .catch(() => null)
      )?.runId ?? null;
    const runBefore = await latestRun();

    const again = await api.call('GET', `${API}/connections/${metaId}/validate`, { token: viewer });
    expect(again.status).toBe(200);
    expect(await reportCount(metaId)).toBe(reportsBefore);
    expect(await latestRun()).toBe(runBefore);
    expect(again.json).toMatchObject({ report_id: latest.id, served: 'stored' });

    for (const path of [`${API}/connections/${metaId}/validate?refresh=true`, `${API}/connections/validate-all?refresh=true`]) {
      const forced = await api.call('GET', path, { token: viewer });
      expect({ path, status: forced.status, code: forced.json.error.code }).toEqual({ path, status: 403, code: 'forbidden' });
    }
    expect(await reportCount(metaId)).toBe(reportsBefore);
    const forced = await api.call('GET', `${API}/connections/${metaId}/validate?refresh=true`, { token: editor });
    expect(forced.json).toMatchObject({ served: 'run', connection_id: metaId });
    expect(forced.json.report_id).not.toBe(latest.id);
    expect(await reportCount(metaId)).toBe(reportsBefore + 1);
  });

  it('two concurrent GETs over a stale report join one validation run', async () => {
    await harness.database.db
      .updateTable('data_validation_reports')
      .set({ validated_at: sql<Date>`now() - interval '2 hours'` })
      .where('connection_id', '=', googleId)
      .execute();
    const before = await reportCount(googleId);
    const [a, b] = await Promise.all([
      api.call('GET', `${API}/connections/${googleId}/validate`, { token: viewer }),
      api.call('GET', `${API}/connections/${googleId}/validate`, { token: viewer }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await reportCount(googleId)).toBe(before + 1);
    expect(b.json.report_id).toBe(a.json.report_id);
    expect(a.json.served).toBe('run');
  });

  it('an org may have only so many validations running: over the limit answers 429; a finished run frees its place', async () => {
    // No worker polls this task queue: the validations it starts stay running.
    const idle = createTestApi(harness, { taskQueue: uniqueName('dv-idle'), limits: { validationsRunningPerOrg: 1 } });
    const org = uniqueName('org-dv-limit');
    const [a, b] = [
      await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId: org }),
      await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock', orgId: org }),
    ];
    const [orgEditor, orgViewer] = [await idle.token(org, 'editor'), await idle.token(org, 'viewer')];
    const started = await idle.call('POST', `${API}/connections/${a.id}/validate-async`, { token: orgEditor });
    expect(started.status).toBe(202);
    try {
      // The same connection joins its running validation (no second run, not counted twice).
      const joined = await idle.call('GET', `${API}/connections/${a.id}/validate?wait=false`, { token: orgViewer });
      expect(joined.status).toBe(202);
      expect(joined.json).toMatchObject({ workflow_id: started.json.workflow_id, run_id: started.json.run_id, joined: true });
      for (const [method, path, token] of [
        ['GET', `${API}/connections/${b.id}/validate?wait=false`, orgViewer],
        ['POST', `${API}/connections/${b.id}/validate-async`, orgEditor],
        ['GET', `${API}/connections/validate-all?wait=false`, orgViewer],
      ] as const) {
        const refused = await idle.call(method, path, { token });
        expect({ path, status: refused.status, code: refused.json?.error?.code }).toEqual({ path, status: 429, code: 'too_many_validations' });
        expect(refused.json.error.details).toMatchObject({ running: 1, limit: 1, workflow_ids: [started.json.workflow_id] });
      }
      // Another org is not held back by this one's runs.
      const other = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock' });
      const otherRun = await idle.call('POST', `${API}/connections/${other.id}/validate-async`, { token: await idle.token(other.org_id, 'editor') });
      expect(otherRun.status).toBe(202);
      await harness.temporal.client.workflow.getHandle(otherRun.json.workflow_id, otherRun.json.run_id).terminate('test done');

      await harness.temporal.client.workflow.getHandle(started.json.workflow_id, started.json.run_id).terminate('test done');
      const next = await idle.call('GET', `${API}/connections/${b.id}/validate?wait=false`, { token: orgViewer });
      expect(next.status).toBe(202);
      expect(next.json).toMatchObject({ workflow_id: `data-validation:${b.id}:live`, joined: false });
      await harness.temporal.client.workflow.getHandle(next.json.workflow_id, next.json.run_id).terminate('test done');
    } finally {
      await harness.temporal.client.workflow
        .getHandle(started.json.workflow_id, started.json.run_id)
        .terminate('test done')
        .catch(() => undefined);
    }
  });

  it("scopes everything to the caller's org and refuses bad input", async () => {
    const stored = await harness.database.db
      .selectFrom('data_validation_reports')
      .select('workflow_id')
      .where('connection_id', '=', googleId)
      .executeTakeFirstOrThrow();
    for (const [method, path] of [
      ['GET', `${API}/connections/${googleId}/validate`],
      ['POST', `${API}/connections/${googleId}/validate-async`],
      ['GET', `${API}/connections/${googleId}/reports`],
      ['GET', `${API}/validations/${stored.workflow_id}`],
      ['GET', `${API}/validations/not-a-validation`],
      ['GET', `${API}/connections/not-a-uuid/validate`],
    ] as const) {
      const res = await api.call(method, path, { token: stranger });
      expect({ path, status: res.status, code: res.json.error.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    const empty = await api.call('GET', `${API}/quality-summary`, { token: stranger });
    expect(empty.json).toMatchObject({ connections_validated: 0, average_score: null, lowest: [] });
    expect((await api.call('GET', `${API}/connections/validate-all`, { token: stranger })).json).toMatchObject({ workflow_id: null, total: 0 });
    for (const query of ['concurrency=0', 'concurrency=abc', 'refresh=yes', 'wait=maybe']) {
      const res = await api.call('GET', `${API}/connections/validate-all?${query}`, { token: viewer });
      expect({ query, status: res.status, code: res.json.error.code }).toEqual({ query, status: 400, code: 'validation_error' });
    }
    expect((await api.call('GET', `${API}/connections/${googleId}/reports?limit=0`, { token: viewer })).status).toBe(400);
    expect((await api.call('GET', `${API}/quality-summary?days=9999`, { token: viewer })).status).toBe(400);
  });
});
