import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { saveConnectionRetentionOverride, saveOrgRetention } from '../../db/repositories/retention-policies';
import type { Connection } from '../../db/schema';
import { deploymentSearchAttributes } from '../../domain/search-attributes';
import { dataRetentionWorkflow } from '../../workflows/data-retention';
import { createTestConnection } from '../setup/fixtures';
import { insertDatedRows } from '../setup/retention-rows';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

describe('the data-retention workflow', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  it('deletes only expired rows, in batches, of the connections with a retention, and audits each one', async () => {
    const orgA = `org-ret-wf-${randomUUID().slice(0, 8)}`;
    const orgB = `org-ret-wf-${randomUUID().slice(0, 8)}`;
    const short = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId: orgA });
    const inherits = await createTestConnection(harness, { platform: 'klaviyo', dataMode: 'mock', orgId: orgA });
    const forever = await createTestConnection(harness, { platform: 'stripe', dataMode: 'mock', orgId: orgA });
    const otherOrg = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId: orgB });
    const days = ['2026-02-01', '2026-03-01', '2026-03-02', '2026-03-21', '2026-03-22', '2026-03-31'];
    for (const c of [short, inherits, forever, otherOrg]) await insertDatedRows(harness.database.db, c, days, 4);
    await saveOrgRetention(harness.database.db, orgA, 30, 'admin');
    await saveConnectionRetentionOverride(harness.database.db, orgA, short.id, 10, 'admin');
    await saveConnectionRetentionOverride(harness.database.db, orgA, forever.id, null, 'admin');

    // Today is 2026-03-31: 10 days keep from 2026-03-22, 30 days from 2026-03-02.
    const taskQueue = uniqueName('retention');
    const worker = await startTestSyncWorker(harness, { taskQueue, now: () => new Date('2026-03-31T10:00:00Z') });
    const workflowId = uniqueName('data-retention');
    try {
      const handle = await harness.temporal.client.workflow.start(dataRetentionWorkflow, {
        taskQueue,
        workflowId,
        args: [{ batchSize: 5 }],
        typedSearchAttributes: deploymentSearchAttributes(),
      });
      const result = await handle.result();
      expect(result.rowsDeleted).toBeGreaterThanOrEqual(32 + 16);

      const daysLeft = async (c: Connection, table: 'marketing_metrics' | 'marketing_metrics_mock_archive') =>
        (
          await sql<{ date: string; n: number }>`select date::text as date, count(*)::int as n from ${sql.table(table)}
            where connection_id = ${c.id} group by date order by date`.execute(harness.database.db)
        ).rows.map((r) => `${r.date}x${r.n}`);
      const all = days.map((d) => `${d}x4`);
      for (const table of ['marketing_metrics', 'marketing_metrics_mock_archive'] as const) {
        // The cutoff day's rows stay.
        expect(await daysLeft(short, table)).toEqual(['2026-03-22x4', '2026-03-31x4']);
        expect(await daysLeft(inherits, table)).toEqual(['2026-03-02x4', '2026-03-21x4', '2026-03-22x4', '2026-03-31x4']);
        expect(await daysLeft(forever, table)).toEqual(all);
        expect(await daysLeft(otherOrg, table)).toEqual(all);
      }

      // 16 expired rows of `short` per table at 5 a batch: 5, 5, 5, 1; `inherits`' 8: 5, 3.
      const history = await handle.fetchHistory();
      const batches = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deleteExpiredRows');
      expect(batches.length).toBeGreaterThanOrEqual(2 * 4 + 2 * 2);

      const audit = await harness.database.db
        .selectFrom('audit_log')
        .select(['org_id', 'actor_id', 'action', 'target_id', 'details'])
        .where('org_id', 'in', [orgA, orgB])
        .where('action', '=', 'retention.purge')
        .orderBy('id')
        .execute();
      const entry = (c: Connection, retentionDays: number, cutoff: string, perTable: number) => ({
        org_id: orgA,
        actor_id: 'data-retention',
        action: 'retention.purge',
        target_id: c.id,
        details: {
          retention_days: retentionDays,
          cutoff_date: cutoff,
          rows_deleted: 2 * perTable,
          marketing_metrics: perTable,
          marketing_metrics_mock_archive: perTable,
        },
      });
      expect(audit).toEqual(expect.arrayContaining([entry(short, 10, '2026-03-22', 16), entry(inherits, 30, '2026-03-02', 8)]));
      expect(audit).toHaveLength(2);

      // A second run finds nothing more to delete (idempotent), and audits zero.
      await (
        await harness.temporal.client.workflow.start(dataRetentionWorkflow, { taskQueue, workflowId: `${workflowId}-again`, args: [{ batchSize: 5 }] })
      ).result();
      expect(await daysLeft(short, 'marketing_metrics')).toEqual(['2026-03-22x4', '2026-03-31x4']);
      const again = await harness.database.db
        .selectFrom('audit_log')
        .select('details')
        .where('target_id', '=', short.id)
        .where('action', '=', 'retention.purge')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(again.details).toMatchObject({ rows_deleted: 0 });
    } finally {
      await worker.stop();
    }
  });
});
