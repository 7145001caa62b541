import { randomUUID } from 'node:crypto';
import { ensureDataValidationSchedule } from '../../schedules/data-validation-schedule';
import { waitFor } from '../../scripts/service-process';
import { ConnectionIdKey, OrgIdKey, PlatformKey, connectionSearchAttributes } from '../../domain/search-attributes';
import { dataValidationWorkflowId, validateAllWorkflowId } from '../../domain/workflow-ids';
import type { Connection } from '../../db/schema';
import { validationWorkflow } from '../../workflows/data-validation';
import { validateAllProgressQuery, validateAllWorkflow } from '../../workflows/validate-all';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

describe('validation workflows', () => {
  let harness: TestHarness;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  const taskQueue = uniqueName('validation');
  const orgId = `org-validation-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    worker = await startTestSyncWorker(harness, { taskQueue });
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  /** A connection with the last 30 days synced from the mock source by the real sync workflow. */
  async function syncedConnection(platform: Connection['platform'], accountId: string): Promise<Connection> {
    const connection = await createTestConnection(harness, { platform, dataMode: 'mock', orgId, accountId });
    await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue)).result();
    return connection;
  }

  it('validates a synced connection, stores the report with its run, and sets the search attributes', async () => {
    const connection = await syncedConnection('meta_business', 'act_700001');
    const workflowId = dataValidationWorkflowId(connection.id, randomUUID());
    const handle = await harness.temporal.client.workflow.start(validationWorkflow, {
      taskQueue,
      workflowId,
      args: [{ connectionId: connection.id, orgId, platform: connection.platform }],
      typedSearchAttributes: connectionSearchAttributes({ orgId: orgId, platform: connection.platform, connectionId: connection.id }),
    });
    const report = await handle.result();
    expect(report).toMatchObject({ connectionId: connection.id, orgId, platform: 'meta_business', workflowId, rowCount: 30 * 18 });
    expect(report.rules).toHaveLength(10);
    expect(report.rules.find((r) => r.ruleId === 'daily_freshness')).toMatchObject({ applicable: true, passed: true });
    expect(report.rules.find((r) => r.ruleId === 'google_ads_quality_score')).toMatchObject({ applicable: false });
    expect(report.metrics.reliability).toMatchObject({ connectionStatus: 'active', syncSuccessRate: 100, syncsConsidered: 1 });

    const stored = await harness.database.db.selectFrom('data_validation_reports').selectAll().where('workflow_id', '=', workflowId).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: report.reportId,
      run_id: handle.firstExecutionRunId,
      connection_id: connection.id,
      level: report.level,
      rules_failed: report.rulesFailed,
    });
    expect(Number(stored[0]!.score)).toBe(report.score);
    const attributes = (await handle.describe()).typedSearchAttributes;
    expect(attributes.get(ConnectionIdKey)).toBe(connection.id);
    expect(attributes.get(OrgIdKey)).toBe(orgId);
  });

  it('fails without retrying when the connection does not exist', async () => {
    const missing = randomUUID();
    const handle = await harness.temporal.client.workflow.start(validationWorkflow, {
      taskQueue,
      workflowId: dataValidationWorkflowId(missing, randomUUID()),
      args: [{ connectionId: missing, orgId, platform: 'google_ads' }],
    });
    await expect(handle.result()).rejects.toThrow();
    const history = await handle.fetchHistory();
    expect(history.events!.filter((e) => e.activityTaskStartedEventAttributes).length).toBe(1);
  });

  it('validate-all fans out one child validation per connection, at most `concurrency` at once', async () => {
    const connections: Connection[] = [];
    for (const [i, platform] of (['google_ads', 'tiktok', 'x_ads', 'klaviyo'] as const).entries())
      connections.push(await syncedConnection(platform, `va-${i}-700`));
    const workflowId = validateAllWorkflowId(orgId, randomUUID());
    const handle = await harness.temporal.client.workflow.start(validateAllWorkflow, {
      taskQueue,
      workflowId,
      args: [{ orgId, concurrency: 2 }],
      typedSearchAttributes: [{ key: OrgIdKey, value: orgId }],
    });
    let peak = 0;
    const result = (await waitFor(
      async () => {
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING') return handle.result();
        peak = Math.max(peak, (await handle.query(validateAllProgressQuery)).running);
        return null;
      },
      (r) => r !== null,
      { timeoutMs: 60_000, what: 'validate-all finished' },
    ))!;
    // The four above and the meta connection of the first test.
    expect(result).toMatchObject({ total: 5, validated: 5, failed: 0, running: 0 });
    expect(peak).toBeLessThanOrEqual(2);
    for (const c of connections) {
      const entry = result.results.find((r) => r.connectionId === c.id)!;
      expect(entry).toMatchObject({ platform: c.platform, error: null });
      const stored = await harness.database.db
        .selectFrom('data_validation_reports')
        .select(['id', 'score'])
        .where('workflow_id', '=', entry.workflowId)
        .executeTakeFirstOrThrow();
      expect({ id: stored.id, score: Number(stored.score) }).toEqual({ id: entry.reportId, score: entry.score });
      const child = await harness.temporal.client.workflow.getHandle(entry.workflowId).describe();
      expect(child.typedSearchAttributes.get(PlatformKey)).toBe(c.platform);
      expect(child.typedSearchAttributes.get(ConnectionIdKey)).toBe(c.id);
    }
  });

  it('the daily Schedule exists once, runs validate-all over every org, and is created idempotently', async () => {
    const scheduleId = uniqueName('data-validation-daily');
    await ensureDataValidationSchedule(harness.temporal.client, taskQueue, scheduleId);
    await ensureDataValidationSchedule(harness.temporal.client, taskQueue, scheduleId);
    const schedule = harness.temporal.client.schedule.getHandle(scheduleId);
    try {
      const description = await schedule.describe();
      expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 5, end: 5, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
      expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'validateAllWorkflow' });
      const connection = await syncedConnection('linkedin_ads', 'sched-700');
      await schedule.trigger();
      await waitFor(
        () => harness.database.db.selectFrom('data_validation_reports').select('id').where('connection_id', '=', connection.id).execute(),
        (rows) => rows.length === 1,
        { timeoutMs: 60_000, what: 'the scheduled run validated the new connection' },
      );
    } finally {
      await schedule.delete();
    }
  });
});
