import { randomUUID } from 'node:crypto';
import { type Kysely, type Transaction, sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { appendAudit } from '../../db/repositories/audit-log';
import { generateValidationBenchmarkRows, plantValidationDefects, postgresServerVersion } from '../../db/benchmark-queries';
import { countAlertsFiredSince, countOpenAlertsByTypeAndSeverity } from '../../db/repositories/alerts';
import {
  connectionCredentials,
  countConnectionsByStatus,
  findConnection,
  findConnectionById,
  findConnectionIdByAccount,
  insertConnection,
  listOrgConnections,
  swapConnectionCredentials,
} from '../../db/repositories/connections';
import { pingPostgres } from '../../db/repositories/health';
import { insertMetricSamples, latestServiceSampleTimes } from '../../db/repositories/metric-samples';
import { insertRollout, otherRolloutsInProgress } from '../../db/repositories/rollouts';
import { countMetrics, listMetrics, upsertMetrics } from '../../db/repositories/marketing-metrics';
import { toMetricsBatch } from '../../db/metrics-copy-format';
import { withPgTransaction } from '../../db/pg-transaction';
import { addPageToSyncLog, closeSyncLog, openSyncLog, syncCountsByPlatformSince } from '../../db/repositories/sync-logs';
import type { Database } from '../../db/schema';
import type { ConnectionStatus } from '../../domain/connection';
import type { AlertSeverity, AlertStatus, AlertType } from '../../domain/alert-rules';
import type { PlatformId } from '../../domain/platforms';
import type { RolloutStage } from '../../domain/rollout';
import { listSyncLogStreams, openSyncLogStreams } from '../../db/repositories/sync-log-streams';
import { advanceStreamCursor, listStreamCursors } from '../../db/repositories/sync-stream-cursors';
import type { MetricRecord, SyncStatus } from '../../domain/sync';
import { connectionRow, featureFlagRollout } from '../setup/fixtures';
import { testEnv } from '../setup/test-env';

/** Runs `work` in a repeatable-read transaction that is rolled back: its counts see its own rows and no other test's. */
async function inRolledBackSnapshot(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<void>): Promise<void> {
  const rollback = new Error('rolled back');
  await expect(
    db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await work(trx);
        throw rollback;
      }),
  ).rejects.toBe(rollback);
}

function record(entityId: string, date: string, clicks: number): MetricRecord {
  return {
    stream: 'ad_performance',
    entityId,
    date,
    entityName: entityId === 'b' ? 'Tab\tand\\back\nslash' : `Ad ${entityId}`,
    parentId: 'set-1',
    impressions: 1000,
    clicks,
    spend: clicks * 0.5,
    conversions: 1,
    revenue: 40.5,
    currency: 'USD',
    raw: { id: entityId, quote: 'it\'s "raw"', nested: { a: [1, 2] } },
  };
}

describe('repositories (migrated Postgres)', () => {
  let database: DatabaseHandle;
  const orgId = `org-${randomUUID()}`;
  let connectionId: string;

  beforeAll(async () => {
    database = createDatabase(testEnv('databaseUrl'), { max: 2 });
    connectionId = randomUUID();
    await insertConnection(database.db, connectionRow(orgId, { id: connectionId, platform: 'meta_business', account_id: 'act_1', display_name: 'Meta' }));
  });
  afterAll(() => database.close());

  it('scopes connections to their org', async () => {
    expect(await findConnection(database.db, orgId, connectionId)).toBeDefined();
    expect(await findConnection(database.db, 'another-org', connectionId)).toBeUndefined();
  });

  it('rejects a second connection for the same org, platform and account', async () => {
    await expect(
      insertConnection(
        database.db,
        connectionRow(orgId, { id: randomUUID(), platform: 'meta_business', account_id: 'act_1', display_name: 'dup', user_id: 'u2' }),
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('upserts metrics on the natural key: a re-sync updates rows and never duplicates them', async () => {
    const target = { connectionId, orgId, platform: 'meta_business' as const, stream: 'ad_performance' as const, source: 'live' as const };
    const write = (records: MetricRecord[]) =>
      withPgTransaction(database.pool, async (trx) => (await upsertMetrics(trx.client, toMetricsBatch(target, records))).written);
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

  it("keeps live and mock rows apart; a live page retires its stream's mock rows in its own transaction", async () => {
    const id = randomUUID();
    await insertConnection(database.db, connectionRow(orgId, { id, platform: 'meta_business', account_id: `act_${id}`, display_name: 'Meta' }));
    const batch = (source: 'live' | 'mock', stream: 'ad_performance' | 'contacts', records: MetricRecord[]) =>
      toMetricsBatch(
        { connectionId: id, orgId, platform: 'meta_business', stream, source },
        records.map((r) => ({ ...r, stream })),
      );
    const write = (b: ReturnType<typeof batch>) => withPgTransaction(database.pool, async (trx) => (await upsertMetrics(trx.client, b)).written);
    const view = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from live_marketing_metrics where connection_id = ${id}`.execute(database.db)).rows[0]!.n);
    const archived = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from marketing_metrics_mock_archive where connection_id = ${id}`.execute(database.db)).rows[0]!.n);

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
    const rows = await database.db
      .selectFrom('marketing_metrics')
      .select(['stream', 'entity_id', 'source', 'clicks'])
      .where('connection_id', '=', id)
      .orderBy('stream')
      .execute();
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
    const log = {
      connection_id: connectionId,
      org_id: orgId,
      platform: 'meta_business' as const,
      workflow_id: 'wf',
      run_id: randomUUID(),
      status: 'running' as const,
      source: 'mock' as const,
      window_start: '2026-01-01',
      window_end: '2026-01-31',
      error: null,
      checkpoint: null,
    };
    const { log: first, created } = await openSyncLog(database.db, log);
    const again = await openSyncLog(database.db, log);
    expect([created, again.created]).toEqual([true, false]);
    expect(again.log.id).toBe(first.id);
    await openSyncLogStreams(database.db, first.id, [{ stream: 'ad_performance', window: { startDate: '2026-01-01', endDate: '2026-01-31' } }]);
    await openSyncLogStreams(database.db, first.id, [{ stream: 'ad_performance', window: { startDate: '2026-01-05', endDate: '2026-01-31' } }]);
    const page = {
      recordsFetched: 10,
      recordsWritten: 10,
      bytesRead: 100,
      bytesWritten: 120,
      checkpoint: { stream: 'ad_performance' as const, cursor: '10', done: false },
    };
    expect(await addPageToSyncLog(database.db, first.id, { ...page, after: null })).toMatchObject({ pages: 1, recordsWritten: 10 });
    // An attempt still writing from where the log was before (a retry took over from it) is refused, and counts nothing.
    expect(await addPageToSyncLog(database.db, first.id, { ...page, after: null })).toBeUndefined();
    expect(
      await addPageToSyncLog(database.db, first.id, {
        ...page,
        checkpoint: { stream: 'ad_performance', cursor: '20', done: false },
        after: { stream: 'ad_performance', cursor: '0', done: false },
      }),
    ).toBeUndefined();
    const closed = await closeSyncLog(database.db, first.id, { status: 'completed', error: null, at: new Date() });
    expect(closed).toMatchObject({
      status: 'completed',
      kind: 'incremental',
      pages: 1,
      records_written: 10,
      bytes_written: '120',
      checkpoint: { stream: 'ad_performance', cursor: '10', done: false },
    });
    // The stream keeps the window first recorded, and its own counters.
    expect(await listSyncLogStreams(database.db, [first.id])).toEqual([
      expect.objectContaining({
        stream: 'ad_performance',
        window_start: '2026-01-01',
        pages: 1,
        records_fetched: 10,
        records_written: 10,
        bytes_read: '100',
        bytes_written: '120',
        completed_at: null,
      }),
    ]);
    expect(await closeSyncLog(database.db, first.id, { status: 'failed', error: 'late', at: new Date() })).toBeUndefined();
  });

  it('moves a stream cursor forward only; a backfill only when it joins the synced days', async () => {
    const { log } = await openSyncLog(database.db, {
      connection_id: connectionId,
      org_id: orgId,
      platform: 'meta_business',
      workflow_id: 'wf',
      run_id: randomUUID(),
      status: 'running',
      source: 'mock',
      window_start: '2026-01-01',
      window_end: '2026-03-01',
      error: null,
      checkpoint: null,
    });
    const move = (kind: 'incremental' | 'backfill' | 'resync', startDate: string, endDate: string) =>
      advanceStreamCursor(database.db, { connectionId, stream: 'contacts', kind, window: { startDate, endDate }, syncLogId: log.id });
    expect(await move('backfill', '2025-01-01', '2025-02-01')).toBeNull(); // no cursor yet: a backfill does not create one
    expect(await move('incremental', '2026-02-01', '2026-03-01')).toBe('2026-03-01');
    expect(await move('incremental', '2026-01-01', '2026-02-15')).toBe('2026-03-01'); // never backwards
    expect(await move('backfill', '2026-03-05', '2026-03-10')).toBe('2026-03-01'); // past a gap
    expect(await move('backfill', '2026-03-02', '2026-03-10')).toBe('2026-03-10'); // joins the synced days
    expect(await listStreamCursors(database.db, connectionId)).toEqual([
      expect.objectContaining({ stream: 'contacts', synced_through: '2026-03-10', sync_log_id: log.id }),
    ]);
  });

  describe("an org's connections", () => {
    const org = `org-${randomUUID()}`;
    const created: Record<'meta' | 'googleDisabled' | 'klaviyo' | 'google', { id: string; at: string; platform: PlatformId; status: ConnectionStatus }> = {
      meta: { id: randomUUID(), at: '2026-01-04T00:00:00Z', platform: 'meta_business', status: 'active' },
      googleDisabled: { id: randomUUID(), at: '2026-01-01T00:00:00Z', platform: 'google_ads', status: 'disabled' },
      klaviyo: { id: randomUUID(), at: '2026-01-03T00:00:00Z', platform: 'klaviyo', status: 'reauth_required' },
      google: { id: randomUUID(), at: '2026-01-02T00:00:00Z', platform: 'google_ads', status: 'active' },
    };
    const byId = (...names: (keyof typeof created)[]) => names.map((n) => created[n].id).sort();
    let otherOrgConnection: string;

    beforeAll(async () => {
      for (const [name, c] of Object.entries(created)) {
        const row = connectionRow(org, { id: c.id, platform: c.platform, status: c.status, created_at: c.at, account_id: `acct-${name}` });
        await insertConnection(database.db, row);
      }
      const other = connectionRow(`org-${randomUUID()}`, { platform: 'meta_business', account_id: 'acct-meta' });
      otherOrgConnection = (await insertConnection(database.db, other)).id;
    });

    it("lists them by id, or by creation, filtered by status, ids and platforms; another org's ids match nothing", async () => {
      const ids = async (filter?: Parameters<typeof listOrgConnections>[2]) => (await listOrgConnections(database.db, org, filter)).map((c) => c.id);
      expect(await ids()).toEqual(byId('meta', 'googleDisabled', 'klaviyo', 'google'));
      expect(await ids({ order: 'created' })).toEqual(['googleDisabled', 'google', 'klaviyo', 'meta'].map((n) => created[n as keyof typeof created].id));
      expect(await ids({ exceptStatus: 'disabled' })).toEqual(byId('meta', 'klaviyo', 'google'));
      expect(await ids({ ids: [created.meta.id, created.googleDisabled.id, otherOrgConnection] })).toEqual(byId('meta', 'googleDisabled'));
      expect(await ids({ platforms: ['google_ads'], exceptStatus: 'disabled' })).toEqual(byId('google'));
      expect(await ids({ platforms: ['google_ads', 'klaviyo'], order: 'created' })).toEqual([created.googleDisabled.id, created.google.id, created.klaviyo.id]);
      // An empty list asks for none, not for all.
      expect(await ids({ ids: [] })).toEqual([]);
      expect(await ids({ platforms: [] })).toEqual([]);
      const [meta] = await listOrgConnections(database.db, org, { ids: [created.meta.id] });
      expect(meta).toMatchObject({ org_id: org, platform: 'meta_business', status: 'active', display_name: 'Test' });
    });

    it('counts them by status', async () => {
      expect(await countConnectionsByStatus(database.db, org)).toEqual({ active: 2, disabled: 1, reauth_required: 1 });
      expect(await countConnectionsByStatus(database.db, `org-${randomUUID()}`)).toEqual({});
    });

    it('finds the connection of a platform account within the org only', async () => {
      expect(await findConnectionIdByAccount(database.db, { orgId: org, platform: 'meta_business', accountId: 'acct-meta' })).toBe(created.meta.id);
      expect(await findConnectionIdByAccount(database.db, { orgId: org, platform: 'google_ads', accountId: 'acct-meta' })).toBeUndefined();
      expect(await findConnectionIdByAccount(database.db, { orgId: org, platform: 'meta_business', accountId: 'acct-google' })).toBeUndefined();
    });
  });

  it('swaps sealed credentials only while they are the ones read', async () => {
    const connection = await insertConnection(database.db, connectionRow(orgId, { platform: 'hubspot' }));
    const sealed = { keyVersion: 'v2', wrappedKey: new Uint8Array([9, 9]), ciphertext: new Uint8Array([7, 7, 7]) };
    const at = new Date('2026-03-01T12:00:00Z');
    expect(await swapConnectionCredentials(database.db, connection.id, { expected: connection.credentials_ciphertext, sealed, at })).toBe(true);
    const swapped = (await findConnectionById(database.db, connection.id))!;
    expect(connectionCredentials(swapped)).toEqual({ keyVersion: 'v2', wrappedKey: Buffer.from([9, 9]), ciphertext: Buffer.from([7, 7, 7]) });
    expect(swapped.updated_at).toEqual(at);
    // Replaced meanwhile: a swap from the old ciphertext changes nothing.
    const stale = { keyVersion: 'v3', wrappedKey: new Uint8Array([1]), ciphertext: new Uint8Array([1]) };
    const late = { expected: connection.credentials_ciphertext, sealed: stale, at: new Date() };
    expect(await swapConnectionCredentials(database.db, connection.id, late)).toBe(false);
    expect(connectionCredentials((await findConnectionById(database.db, connection.id))!).keyVersion).toBe('v2');
    expect(await swapConnectionCredentials(database.db, randomUUID(), { expected: swapped.credentials_ciphertext, sealed: stale, at: new Date() })).toBe(false);
  });

  it("lists the org's other rollouts in progress, not ended ones nor another org's", async () => {
    const org = `org-${randomUUID()}`;
    const config = featureFlagRollout({ minDurationSeconds: 60, analysisIntervalSeconds: 10 });
    const rollout = async (orgOf: string, name: string, stage: RolloutStage) => {
      const row = await insertRollout(database.db, { id: randomUUID(), orgId: orgOf, name, config, createdBy: 'u1' });
      await database.db.updateTable('rollouts').set({ stage }).where('id', '=', row.id).execute();
      return row;
    };
    const self = await rollout(org, 'self', 'validating');
    const running = await rollout(org, 'running', 'running');
    const paused = await rollout(org, 'paused', 'paused');
    const approval = await rollout(org, 'approval', 'awaiting_approval');
    await rollout(org, 'done', 'completed');
    await rollout(org, 'back', 'rolled_back');
    await rollout(org, 'blocked', 'blocked');
    await rollout(org, 'created', 'created');
    await rollout(`org-${randomUUID()}`, 'elsewhere', 'running');
    const others = await otherRolloutsInProgress(database.db, self);
    expect(others.map((o) => o.id).sort()).toEqual([running.id, paused.id, approval.id].sort());
    expect(others.find((o) => o.id === running.id)).toEqual({ id: running.id, name: 'running' });
    // The running one sees the validating one.
    expect((await otherRolloutsInProgress(database.db, running)).map((o) => o.id)).toContain(self.id);
  });

  it('counts open alerts by type and severity, and the alerts an org saw fire in a window', async () => {
    const org = `org-${randomUUID()}`;
    const since = new Date('2026-02-01T00:00:00Z');
    type TestAlert = { org: string | null; type: AlertType; severity: AlertSeverity; status: AlertStatus; at: string };
    const alert = (trx: Transaction<Database>, values: TestAlert) =>
      trx
        .insertInto('alerts')
        .values({
          rule_id: 'test-rule',
          fingerprint: randomUUID(),
          org_id: values.org,
          type: values.type,
          severity: values.severity,
          initial_severity: values.severity,
          status: values.status,
          labels: '{}',
          summary: 'test',
          value: 1,
          threshold: 0,
          started_at: values.at,
          last_evaluated_at: values.at,
        })
        .execute();
    await inRolledBackSnapshot(database.db, async (trx) => {
      const countOf = async (type: AlertType, severity: AlertSeverity) =>
        (await countOpenAlertsByTypeAndSeverity(trx)).find((r) => r.type === type && r.severity === severity)?.count ?? 0;
      const before = {
        performanceHigh: await countOf('performance', 'high'),
        securityCritical: await countOf('security', 'critical'),
        fired: await countAlertsFiredSince(trx, org, since),
      };
      await alert(trx, { org, type: 'performance', severity: 'high', status: 'firing', at: '2026-02-02T00:00:00Z' });
      await alert(trx, { org: null, type: 'performance', severity: 'high', status: 'escalated', at: '2026-01-15T00:00:00Z' });
      await alert(trx, { org: `org-${randomUUID()}`, type: 'security', severity: 'critical', status: 'firing', at: '2026-02-03T00:00:00Z' });
      await alert(trx, { org, type: 'security', severity: 'critical', status: 'resolved', at: '2026-02-04T00:00:00Z' });
      await alert(trx, { org: null, type: 'security', severity: 'critical', status: 'resolved', at: '2026-02-05T00:00:00Z' });
      // Open ones of every org and the deployment count; resolved ones do not.
      expect(await countOf('performance', 'high')).toBe(before.performanceHigh + 2);
      expect(await countOf('security', 'critical')).toBe(before.securityCritical + 1);
      // Fired since the window began, open or not: the org's and the deployment's, not another org's.
      expect(await countAlertsFiredSince(trx, org, since)).toBe(before.fired + 3);
    });
  });

  it("answers each sampled process's latest service sample in the window", async () => {
    const [api, worker, stopped] = ['api', 'worker', 'stopped'].map((name) => `test-${name}-${randomUUID().slice(0, 8)}`) as [string, string, string];
    const since = new Date('2026-04-01T00:00:00Z');
    const sample = (source: string, recordedAt: string, orgId: string | null = null) => ({
      name: 'liftos_test_gauge',
      kind: 'gauge' as const,
      labels: {},
      value: 1,
      orgId,
      source,
      recordedAt: new Date(recordedAt),
    });
    await insertMetricSamples(database.db, [
      sample(api, '2026-04-01T10:00:00Z'),
      sample(api, '2026-04-01T11:00:00Z'),
      // An org's sample under the same source is not the service's.
      sample(api, '2026-04-01T12:00:00Z', orgId),
      sample(worker, '2026-04-01T09:30:00Z'),
      sample(stopped, '2026-03-31T23:00:00Z'),
    ]);
    const latest = (await latestServiceSampleTimes(database.db, since)).filter((s) => [api, worker, stopped].includes(s.source));
    expect(Object.fromEntries(latest.map((s) => [s.source, s.lastAt]))).toEqual({
      [api]: new Date('2026-04-01T11:00:00Z'),
      [worker]: new Date('2026-04-01T09:30:00Z'),
    });
    expect(latest).toHaveLength(2);
  });

  it("counts the org's syncs in a window per platform, with the completed ones' mean duration", async () => {
    const org = `org-${randomUUID()}`;
    const meta = await insertConnection(database.db, connectionRow(org, { platform: 'meta_business' }));
    const google = await insertConnection(database.db, connectionRow(org, { platform: 'google_ads' }));
    const other = await insertConnection(database.db, connectionRow(`org-${randomUUID()}`, { platform: 'meta_business' }));
    const log = (connection: { id: string; org_id: string; platform: PlatformId }, status: SyncStatus, startedAt: string, seconds?: number) =>
      openSyncLog(database.db, {
        connection_id: connection.id,
        org_id: connection.org_id,
        platform: connection.platform,
        workflow_id: 'wf',
        run_id: randomUUID(),
        status,
        source: 'mock',
        window_start: '2026-01-01',
        window_end: '2026-01-31',
        error: null,
        checkpoint: null,
        started_at: startedAt,
        finished_at: seconds === undefined ? null : new Date(new Date(startedAt).getTime() + seconds * 1000),
      });
    await log(meta, 'completed', '2026-05-02T00:00:00Z', 10);
    await log(meta, 'completed', '2026-05-02T01:00:00Z', 30);
    await log(meta, 'failed', '2026-05-02T02:00:00Z', 500);
    await log(meta, 'cancelled', '2026-05-02T03:00:00Z', 1);
    await log(meta, 'completed', '2026-04-30T00:00:00Z', 1000); // before the window
    await log(google, 'running', '2026-05-03T00:00:00Z');
    await log(google, 'failed', '2026-05-03T01:00:00Z', 5);
    await log(other, 'completed', '2026-05-02T00:00:00Z', 99);
    expect(await syncCountsByPlatformSince(database.db, org, new Date('2026-05-01T00:00:00Z'))).toEqual([
      { platform: 'google_ads', completed: 0, failed: 1, cancelled: 0, running: 1, avgCompletedSeconds: null },
      { platform: 'meta_business', completed: 2, failed: 1, cancelled: 1, running: 0, avgCompletedSeconds: 20 },
    ]);
    expect(await syncCountsByPlatformSince(database.db, `org-${randomUUID()}`, new Date(0))).toEqual([]);
  });

  it('pings Postgres through the pool, and fails when it cannot reach it', async () => {
    await expect(pingPostgres(database.db)).resolves.toBeUndefined();
    const unreachable = createDatabase('postgres://nobody@127.0.0.1:1/none', { max: 1 });
    try {
      await expect(pingPostgres(unreachable.db)).rejects.toThrow();
    } finally {
      await unreachable.close();
    }
  });

  it("writes the validation benchmark's rows inside Postgres and plants its defects", async () => {
    expect(await postgresServerVersion(database.db)).toMatch(/^\d+/);
    const connection = await insertConnection(database.db, connectionRow(orgId, { platform: 'meta_business' }));
    await generateValidationBenchmarkRows(database.db, { connectionId: connection.id, orgId, firstDay: '2026-06-01', days: 3, ads: 2 });
    const rows = async () => (await listMetrics(database.db, connection.id, { limit: 100, offset: 0 })).map((r) => `${r.date} ${r.entity_id}`).sort();
    expect(await rows()).toEqual(['2026-06-01 ad0', '2026-06-01 ad1', '2026-06-02 ad0', '2026-06-02 ad1', '2026-06-03 ad0', '2026-06-03 ad1']);
    await plantValidationDefects(database.db, connection.id, { implausibleDay: '2026-06-02', thinnedDay: '2026-06-03' });
    expect(await rows()).toEqual(['2026-06-01 ad0', '2026-06-01 ad1', '2026-06-02 ad0', '2026-06-02 ad1', '2026-06-03 ad0']);
    const implausible = (await listMetrics(database.db, connection.id, { limit: 100, offset: 0 })).filter((r) => Number(r.clicks) > Number(r.impressions));
    expect(implausible.map((r) => `${r.date} ${r.entity_id}`)).toEqual(['2026-06-02 ad1']);
  });

  it('keeps the audit log append-only', async () => {
    await appendAudit(database.db, {
      org_id: orgId,
      actor_id: 'u1',
      actor_role: 'admin',
      action: 'connection.create',
      target_type: 'connection',
      target_id: connectionId,
      outcome: 'success',
      request_id: 'r1',
      details: { a: 1 },
    });
    await expect(sql`update audit_log set action = 'x' where org_id = ${orgId}`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where org_id = ${orgId}`.execute(database.db)).rejects.toThrow(/append-only/);
  });
});
