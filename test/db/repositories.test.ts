import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { appendAudit } from '../../db/repositories/audit-log';
import { insertConnection, findConnection } from '../../db/repositories/connections';
import { countMetrics, listMetrics, upsertMetrics } from '../../db/repositories/marketing-metrics';
import { toMetricsBatch } from '../../db/metrics-copy-format';
import { withPgTransaction } from '../../db/pg-transaction';
import { addPageToSyncLog, closeSyncLog, openSyncLog } from '../../db/repositories/sync-logs';
import { listSyncLogStreams, openSyncLogStreams } from '../../db/repositories/sync-log-streams';
import { advanceStreamCursor, listStreamCursors } from '../../db/repositories/sync-stream-cursors';
import type { MetricRecord } from '../../domain/sync';
import { testEnv } from '../setup/test-env';

function record(entityId: string, date: string, clicks: number): MetricRecord {
  return { stream: 'ad_performance', entityId, date, entityName: entityId === 'b' ? 'Tab\tand\\back\nslash' : `Ad ${entityId}`, parentId: 'set-1', impressions: 1000, clicks, spend: clicks * 0.5, conversions: 1, revenue: 40.5, currency: 'USD', raw: { id: entityId, quote: 'it\'s "raw"', nested: { a: [1, 2] } } };
}

describe('repositories (migrated Postgres)', () => {
  let database: DatabaseHandle;
  const orgId = `org-${randomUUID()}`;
  let connectionId: string;

  beforeAll(async () => {
    database = createDatabase(testEnv('databaseUrl'), { max: 2 });
    connectionId = randomUUID();
    await insertConnection(database.db, {
      id: connectionId, org_id: orgId, user_id: 'u1', platform: 'meta_business', account_id: 'act_1', display_name: 'Meta',
      status: 'active', data_mode: 'mock', sync_frequency: 'manual', credentials_ciphertext: Buffer.from([1, 2, 3]), credentials_wrapped_key: Buffer.from([4]), credentials_key_version: 'v1', last_sync_at: null, last_sync_status: null,
    });
  });
  afterAll(() => database.close());

  it('scopes connections to their org', async () => {
    expect(await findConnection(database.db, orgId, connectionId)).toBeDefined();
    expect(await findConnection(database.db, 'another-org', connectionId)).toBeUndefined();
  });

  it('rejects a second connection for the same org, platform and account', async () => {
    await expect(
      insertConnection(database.db, {
        id: randomUUID(), org_id: orgId, user_id: 'u2', platform: 'meta_business', account_id: 'act_1', display_name: 'dup',
        status: 'active', data_mode: 'mock', sync_frequency: 'manual', credentials_ciphertext: Buffer.from([1]), credentials_wrapped_key: Buffer.from([4]), credentials_key_version: 'v1', last_sync_at: null, last_sync_status: null,
      }),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('upserts metrics on the natural key: a re-sync updates rows and never duplicates them', async () => {
    const target = { connectionId, orgId, platform: 'meta_business' as const, stream: 'ad_performance' as const, source: 'live' as const };
    const write = (records: MetricRecord[]) => withPgTransaction(database.pool, async (trx) => (await upsertMetrics(trx.client, toMetricsBatch(target, records))).written);
    // New rows: the COPY fast path.
    expect(await write([record('a', '2026-01-01', 10), record('b', '2026-01-01', 20)])).toBe(2);
    // One existing row, one new: the staged upsert path, in the same transaction as the caller.
    expect(await write([record('a', '2026-01-01', 11), record('a', '2026-01-02', 5)])).toBe(2);
    expect(await countMetrics(database.db, connectionId)).toBe(3);
    const rows = await listMetrics(database.db, connectionId, { limit: 10, offset: 0 });
    const a1 = rows.find((r) => r.entity_id === 'a' && r.date === '2026-01-01')!;
    expect(Number(a1.clicks)).toBe(11);
    expect(a1.raw).toEqual({ id: 'a', quote: 'it\'s "raw"', nested: { a: [1, 2] } });
    expect(a1.entity_name).toBe('Ad a');
    // COPY escaping: tabs, backslashes and newlines survive.
    expect(rows.find((r) => r.entity_id === 'b')!.entity_name).toBe('Tab\tand\\back\nslash');
    expect(await write([])).toBe(0);
    // A failure after the page rolls the whole transaction back: no row of it stays.
    await expect(
      withPgTransaction(database.pool, async (trx) => {
        await upsertMetrics(trx.client, toMetricsBatch(target, [record('z', '2026-02-01', 1)]));
        throw new Error('crash after the page');
      }),
    ).rejects.toThrow('crash after the page');
    expect(await countMetrics(database.db, connectionId)).toBe(3);
  });

  it('keeps live and mock rows apart; a live page retires its stream\'s mock rows in its own transaction', async () => {
    const id = randomUUID();
    await insertConnection(database.db, {
      id, org_id: orgId, user_id: 'u1', platform: 'meta_business', account_id: `act_${id}`, display_name: 'Meta',
      status: 'active', data_mode: 'mock', sync_frequency: 'manual', credentials_ciphertext: Buffer.from([1]), credentials_wrapped_key: Buffer.from([4]), credentials_key_version: 'v1', last_sync_at: null, last_sync_status: null,
    });
    const batch = (source: 'live' | 'mock', stream: 'ad_performance' | 'contacts', records: MetricRecord[]) =>
      toMetricsBatch({ connectionId: id, orgId, platform: 'meta_business', stream, source }, records.map((r) => ({ ...r, stream })));
    const write = (b: ReturnType<typeof batch>) => withPgTransaction(database.pool, async (trx) => (await upsertMetrics(trx.client, b)).written);
    const view = async () => Number((await sql<{ n: string }>`select count(*) as n from live_marketing_metrics where connection_id = ${id}`.execute(database.db)).rows[0]!.n);
    const archived = async () => Number((await sql<{ n: string }>`select count(*) as n from marketing_metrics_mock_archive where connection_id = ${id}`.execute(database.db)).rows[0]!.n);

    // Mock rows of two streams, as a mock sync writes them; reads default to live and see none.
    expect(await write(batch('mock', 'ad_performance', [record('a', '2026-01-01', 1), record('b', '2026-01-01', 2)]))).toBe(2);
    expect(await write(batch('mock', 'contacts', [record('c', '2026-01-01', 3)]))).toBe(1);
    expect(await countMetrics(database.db, id)).toBe(0);
    expect(await countMetrics(database.db, id, { source: 'mock' })).toBe(3);
    expect((await listMetrics(database.db, id, { limit: 10, offset: 0, source: 'mock' })).every((r) => r.source === 'mock')).toBe(true);

    // The first live page of ad_performance, in a transaction that fails after it: the mock rows stay.
    await expect(
      withPgTransaction(database.pool, async (trx) => {
        await upsertMetrics(trx.client, batch('live', 'ad_performance', [record('a', '2026-01-01', 10)]));
        throw new Error('crash after the page');
      }),
    ).rejects.toThrow('crash after the page');
    expect(await countMetrics(database.db, id, { source: 'mock' })).toBe(3);
    expect(await archived()).toBe(0);

    // Committed: the stream's mock rows leave with it (to the archive); the same key now holds the live row only.
    expect(await write(batch('live', 'ad_performance', [record('a', '2026-01-01', 10)]))).toBe(1);
    const rows = await database.db.selectFrom('marketing_metrics').select(['stream', 'entity_id', 'source', 'clicks']).where('connection_id', '=', id).orderBy('stream').execute();
    expect(rows).toEqual([
      { stream: 'ad_performance', entity_id: 'a', source: 'live', clicks: '10' },
      { stream: 'contacts', entity_id: 'c', source: 'mock', clicks: '3' },
    ]);
    expect(await view()).toBe(1);
    expect(await archived()).toBe(2);

    // A later mock page (a hybrid fallback) never overwrites the live row: it is a row of its own.
    expect(await write(batch('mock', 'ad_performance', [record('a', '2026-01-01', 99)]))).toBe(1);
    expect((await listMetrics(database.db, id, { limit: 10, offset: 0 })).map((r) => Number(r.clicks))).toEqual([10]);
    expect(await view()).toBe(1);
  });

  it('opens one sync log per run, counts pages, and closes it once', async () => {
    const log = { connection_id: connectionId, org_id: orgId, platform: 'meta_business' as const, workflow_id: 'wf', run_id: randomUUID(), status: 'running' as const, source: 'mock' as const, window_start: '2026-01-01', window_end: '2026-01-31', error: null, checkpoint: null };
    const { log: first, created } = await openSyncLog(database.db, log);
    const again = await openSyncLog(database.db, log);
    expect([created, again.created]).toEqual([true, false]);
    expect(again.log.id).toBe(first.id);
    await openSyncLogStreams(database.db, first.id, [{ stream: 'ad_performance', window: { startDate: '2026-01-01', endDate: '2026-01-31' } }]);
    await openSyncLogStreams(database.db, first.id, [{ stream: 'ad_performance', window: { startDate: '2026-01-05', endDate: '2026-01-31' } }]);
    const page = { recordsFetched: 10, recordsWritten: 10, bytesRead: 100, bytesWritten: 120, checkpoint: { stream: 'ad_performance' as const, cursor: '10', done: false } };
    expect(await addPageToSyncLog(database.db, first.id, { ...page, after: null })).toMatchObject({ pages: 1, recordsWritten: 10 });
    // An attempt still writing from where the log was before (a retry took over from it) is refused, and counts nothing.
    expect(await addPageToSyncLog(database.db, first.id, { ...page, after: null })).toBeUndefined();
    expect(await addPageToSyncLog(database.db, first.id, { ...page, checkpoint: { stream: 'ad_performance', cursor: '20', done: false }, after: { stream: 'ad_performance', cursor: '0', done: false } })).toBeUndefined();
    const closed = await closeSyncLog(database.db, first.id, { status: 'completed', error: null, at: new Date() });
    expect(closed).toMatchObject({ status: 'completed', kind: 'incremental', pages: 1, records_written: 10, bytes_written: '120', checkpoint: { stream: 'ad_performance', cursor: '10', done: false } });
    // The stream keeps the window first recorded, and its own counters.
    expect(await listSyncLogStreams(database.db, [first.id])).toEqual([
      expect.objectContaining({ stream: 'ad_performance', window_start: '2026-01-01', pages: 1, records_fetched: 10, records_written: 10, bytes_read: '100', bytes_written: '120', completed_at: null }),
    ]);
    expect(await closeSyncLog(database.db, first.id, { status: 'failed', error: 'late', at: new Date() })).toBeUndefined();
  });

  it('moves a stream cursor forward only; a backfill only when it joins the synced days', async () => {
    const { log } = await openSyncLog(database.db, { connection_id: connectionId, org_id: orgId, platform: 'meta_business', workflow_id: 'wf', run_id: randomUUID(), status: 'running', source: 'mock', window_start: '2026-01-01', window_end: '2026-03-01', error: null, checkpoint: null });
    const move = (kind: 'incremental' | 'backfill' | 'resync', startDate: string, endDate: string) =>
      advanceStreamCursor(database.db, { connectionId, stream: 'contacts', kind, window: { startDate, endDate }, syncLogId: log.id });
    expect(await move('backfill', '2025-01-01', '2025-02-01')).toBeNull(); // no cursor yet: a backfill does not create one
    expect(await move('incremental', '2026-02-01', '2026-03-01')).toBe('2026-03-01');
    expect(await move('incremental', '2026-01-01', '2026-02-15')).toBe('2026-03-01'); // never backwards
    expect(await move('backfill', '2026-03-05', '2026-03-10')).toBe('2026-03-01'); // past a gap
    expect(await move('backfill', '2026-03-02', '2026-03-10')).toBe('2026-03-10'); // joins the synced days
    expect(await listStreamCursors(database.db, connectionId)).toEqual([expect.objectContaining({ stream: 'contacts', synced_through: '2026-03-10', sync_log_id: log.id })]);
  });

  it('keeps the audit log append-only', async () => {
    await appendAudit(database.db, { org_id: orgId, actor_id: 'u1', actor_role: 'admin', action: 'connection.create', target_type: 'connection', target_id: connectionId, outcome: 'success', request_id: 'r1', details: { a: 1 } });
    await expect(sql`update audit_log set action = 'x' where org_id = ${orgId}`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where org_id = ${orgId}`.execute(database.db)).rejects.toThrow(/append-only/);
  });
});
