import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  deleteExpiredRowsBatch,
  findConnectionRetentionOverride,
  findOrgRetention,
  listConnectionRetention,
  listRetentionTargets,
  removeConnectionRetentionOverride,
  saveConnectionRetentionOverride,
  saveOrgRetention,
} from '../../db/repositories/retention-policies';
import type { Connection } from '../../db/schema';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, type TestHarness } from '../setup/test-harness';
import { insertDatedRows } from '../setup/retention-rows';

describe('retention policies repository', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());
  const db = () => harness.database.db;

  it("saves an org's default and a connection's override, lists what applies, and a removed override follows the org again", async () => {
    const orgId = `org-ret-${randomUUID().slice(0, 8)}`;
    const a = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId });
    const b = await createTestConnection(harness, { platform: 'klaviyo', dataMode: 'mock', orgId });
    const forever = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock', orgId });
    expect(await findOrgRetention(db(), orgId)).toBeUndefined();
    const targetsOf = async () => (await listRetentionTargets(db())).filter((t) => t.orgId === orgId);
    expect(await targetsOf()).toEqual([]);

    await saveOrgRetention(db(), orgId, 90, 'admin-1');
    await saveOrgRetention(db(), orgId, 60, 'admin-1');
    expect((await findOrgRetention(db(), orgId))?.default_days).toBe(60);
    await saveConnectionRetentionOverride(db(), orgId, a.id, 7, 'admin-1');
    await saveConnectionRetentionOverride(db(), orgId, forever.id, null, 'admin-1');
    const byId = <T extends { connectionId: string }>(rows: T[]) => [...rows].sort((x, y) => x.connectionId.localeCompare(y.connectionId));
    expect(byId(await targetsOf())).toEqual(
      byId([
        { connectionId: a.id, orgId, retentionDays: 7 },
        { connectionId: b.id, orgId, retentionDays: 60 },
      ]),
    );
    const listed = await listConnectionRetention(db(), orgId);
    expect(listed.map((r) => [r.connection_id, r.has_override, r.retention_days])).toEqual([
      [a.id, true, 7],
      [b.id, false, null],
      [forever.id, true, null],
    ]);

    // Another org cannot remove (or see) this org's override.
    expect(await removeConnectionRetentionOverride(db(), 'org-other', a.id)).toBe(false);
    expect(await findConnectionRetentionOverride(db(), 'org-other', a.id)).toBeUndefined();
    expect(await removeConnectionRetentionOverride(db(), orgId, a.id)).toBe(true);
    expect((await targetsOf()).find((t) => t.connectionId === a.id)?.retentionDays).toBe(60);
  });

  it('refuses days out of bounds in the table itself', async () => {
    await expect(saveOrgRetention(db(), `org-ret-${randomUUID().slice(0, 8)}`, 0, 'x')).rejects.toThrow(/check constraint/);
    await expect(saveOrgRetention(db(), `org-ret-${randomUUID().slice(0, 8)}`, 3651, 'x')).rejects.toThrow(/check constraint/);
  });

  it("deletes in bounded batches only the connection's rows before the cutoff, never another connection's or org's", async () => {
    const orgId = `org-ret-${randomUUID().slice(0, 8)}`;
    const mine = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId });
    const sibling = await createTestConnection(harness, { platform: 'klaviyo', dataMode: 'mock', orgId });
    const foreign = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock' });
    const days = ['2026-01-01', '2026-01-02', '2026-01-03'];
    for (const c of [mine, sibling, foreign]) await insertDatedRows(db(), c, days, 4);
    const count = async (c: Connection, table: 'marketing_metrics' | 'marketing_metrics_mock_archive' = 'marketing_metrics') =>
      Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)} where connection_id = ${c.id}`.execute(db())).rows[0]!.n);

    const target = { orgId, connectionId: mine.id };
    // 8 rows before 2026-01-03: batches of 5 take 5, then 3, then none.
    expect(await deleteExpiredRowsBatch(db(), 'marketing_metrics', target, '2026-01-03', 5)).toBe(5);
    expect(await deleteExpiredRowsBatch(db(), 'marketing_metrics', target, '2026-01-03', 5)).toBe(3);
    expect(await deleteExpiredRowsBatch(db(), 'marketing_metrics', target, '2026-01-03', 5)).toBe(0);
    expect(await count(mine)).toBe(4);
    expect(await deleteExpiredRowsBatch(db(), 'marketing_metrics_mock_archive', target, '2026-01-03', 5)).toBe(5);
    expect(await count(mine, 'marketing_metrics_mock_archive')).toBe(7);
    // A connection id under the wrong org deletes nothing.
    expect(await deleteExpiredRowsBatch(db(), 'marketing_metrics', { orgId, connectionId: foreign.id }, '2026-12-31', 100)).toBe(0);
    expect([await count(sibling), await count(foreign), await count(foreign, 'marketing_metrics_mock_archive')]).toEqual([12, 12, 12]);
  });
});
