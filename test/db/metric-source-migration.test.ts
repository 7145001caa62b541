import { randomUUID } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { migrationProvider } from '../../db/migrations';
import { testEnv } from '../setup/test-env';

/** The migration before the one under test: the schema existing deployments have. */
const PREVIOUS = '2026-11-25T1110-metric-first-synced';
/** More rows than one backfill batch (5,000) on one connection, so several bounded UPDATEs run. */
const MANY = 12_000;

describe('migration 2026-12-04T0900-metric-source: existing rows are labelled from the sync logs', () => {
  let admin: DatabaseHandle;
  let database: DatabaseHandle;
  const name = `liftos_migration_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    admin = createDatabase(testEnv('databaseUrl'), { max: 1 });
    await sql`create database ${sql.id(name)}`.execute(admin.db);
    const url = new URL(testEnv('databaseUrl'));
    url.pathname = `/${name}`;
    database = createDatabase(url.toString(), { max: 2 });
    const migrated = await new Migrator({ db: database.db, provider: migrationProvider }).migrateTo(PREVIOUS);
    expect(migrated.error).toBeUndefined();
  });
  afterAll(async () => {
    await database.close();
    await sql`drop database if exists ${sql.id(name)}`.execute(admin.db);
    await admin.close();
  });

  const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 12, minute));

  it('labels rows of mock syncs and rows written after a hybrid fallback mock, the rest live; then every write must name its source', async () => {
    const db = database.db as unknown as import('kysely').Kysely<any>;
    const connection = async (dataMode: string) => {
      const id = randomUUID();
      await db
        .insertInto('user_platform_connections')
        .values({
          id,
          org_id: 'org-m',
          user_id: 'u',
          platform: 'google_ads',
          account_id: id,
          display_name: 'c',
          data_mode: dataMode,
          credentials_ciphertext: Buffer.from([1]),
          credentials_wrapped_key: Buffer.from([2]),
          credentials_key_version: 'v1',
        })
        .execute();
      return id;
    };
    const log = (connectionId: string, source: string, from: number, to: number | null, fallbackAt: number | null = null) =>
      db
        .insertInto('data_sync_logs')
        .values({
          connection_id: connectionId,
          org_id: 'org-m',
          platform: 'google_ads',
          workflow_id: 'wf',
          run_id: randomUUID(),
          status: to === null ? 'running' : 'completed',
          source,
          window_start: '2026-10-01',
          window_end: '2026-10-31',
          started_at: at(from),
          finished_at: to === null ? null : at(to),
          fallback_at: fallbackAt === null ? null : at(fallbackAt),
          data_mode: fallbackAt === null ? source : 'hybrid',
        })
        .execute();
    const row = (connectionId: string, entity: string, syncedAt: Date) => ({
      connection_id: connectionId,
      stream: 'ad_performance',
      entity_id: entity,
      date: '2026-10-05',
      org_id: 'org-m',
      platform: 'google_ads',
      raw: '{}',
      synced_at: syncedAt,
      first_synced_at: syncedAt,
    });

    // A connection synced by mock (minutes 0-5), then by live (10-15): MANY rows, alternately last written by each.
    const switched = await connection('auto');
    await log(switched, 'mock', 0, 5);
    await log(switched, 'live', 10, 15);
    await sql`insert into marketing_metrics (connection_id, stream, entity_id, date, org_id, platform, raw, synced_at, first_synced_at)
      select ${switched}::uuid, 'ad_performance', 'ad' || lpad(i::text, 6, '0'), '2026-10-05', 'org-m', 'google_ads', '{}',
        case when i % 2 = 0 then ${at(2)}::timestamptz else ${at(12)}::timestamptz end, ${at(2)}::timestamptz
      from generate_series(1, ${MANY}) i`.execute(db);

    // A hybrid connection: a live sync (0-5), then one that fell back to mock at minute 12 (10-15), then one still running on mock.
    const hybrid = await connection('hybrid');
    await log(hybrid, 'live', 0, 5);
    await log(hybrid, 'mock', 10, 15, 12);
    await log(hybrid, 'mock', 20, null);
    await db
      .insertInto('marketing_metrics')
      .values([
        row(hybrid, 'first-sync', at(1)),
        row(hybrid, 'before-fallback', at(11)),
        row(hybrid, 'after-fallback', at(13)),
        row(hybrid, 'running-mock', at(21)),
      ])
      .execute();

    // A live connection, with a row older than any of its logs.
    const live = await connection('live');
    await log(live, 'live', 10, 15);
    await db
      .insertInto('marketing_metrics')
      .values([row(live, 'before-any-log', at(1)), row(live, 'live-sync', at(11))])
      .execute();

    expect(await migrateToLatest(database.db)).toContain('2026-12-04T0900-metric-source');
    // The relabelling ran as a backfill after the migration's transaction, in batches of its own, and is done.
    expect((await sql<{ name: string; done: boolean }>`select name, completed_at is not null as done from schema_backfills`.execute(db)).rows).toEqual([
      { name: 'metric-source-labels', done: true },
    ]);

    const sources = async (connectionId: string) =>
      Object.fromEntries(
        (await db.selectFrom('marketing_metrics').select(['entity_id', 'source']).where('connection_id', '=', connectionId).execute()).map((r) => [
          r.entity_id,
          r.source,
        ]),
      );
    const counts = await sql<{
      source: string;
      n: number;
    }>`select source, count(*)::int as n from marketing_metrics where connection_id = ${switched} group by source order by source`.execute(db);
    expect(counts.rows).toEqual([
      { source: 'live', n: MANY / 2 },
      { source: 'mock', n: MANY / 2 },
    ]);
    const odd = await sql<{
      wrong: number;
    }>`select count(*)::int as wrong from marketing_metrics where connection_id = ${switched} and (substr(entity_id, 3)::int % 2 = 0) <> (source = 'mock')`.execute(
      db,
    );
    expect(odd.rows[0]!.wrong).toBe(0);
    expect(await sources(hybrid)).toEqual({ 'first-sync': 'live', 'before-fallback': 'live', 'after-fallback': 'mock', 'running-mock': 'mock' });
    expect(await sources(live)).toEqual({ 'before-any-log': 'live', 'live-sync': 'live' });

    // The view shows the live rows only.
    const viewed = await sql<{
      n: number;
    }>`select count(*)::int as n from live_marketing_metrics where connection_id in (${switched}, ${hybrid}, ${live})`.execute(db);
    expect(viewed.rows[0]!.n).toBe(MANY / 2 + 2 + 2);
    // No default: a write that does not say its source is refused.
    await expect(
      db
        .insertInto('marketing_metrics')
        .values(row(live, 'unlabelled', at(30)))
        .execute(),
    ).rejects.toMatchObject({ code: '23502' });
    // The key holds the source: a live and a mock row of one entity and day are two rows.
    await db
      .insertInto('marketing_metrics')
      .values({ ...row(live, 'live-sync', at(30)), source: 'mock' })
      .execute();
    expect(
      await db
        .selectFrom('marketing_metrics')
        .select('source')
        .where('connection_id', '=', live)
        .where('entity_id', '=', 'live-sync')
        .orderBy('source')
        .execute(),
    ).toEqual([{ source: 'live' }, { source: 'mock' }]);

    // Down: one row per key again (the live one wins), no source column; up again relabels.
    const down = await new Migrator({ db: database.db, provider: migrationProvider }).migrateTo(PREVIOUS);
    expect(down.error).toBeUndefined();
    expect(await db.selectFrom('marketing_metrics').selectAll().where('connection_id', '=', live).where('entity_id', '=', 'live-sync').execute()).toEqual([
      expect.not.objectContaining({ source: expect.anything() }),
    ]);
    expect(await migrateToLatest(database.db)).toContain('2026-12-04T0900-metric-source');
    expect(await sources(hybrid)).toEqual({ 'first-sync': 'live', 'before-fallback': 'live', 'after-fallback': 'mock', 'running-mock': 'mock' });
  });
});
