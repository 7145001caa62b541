import { type Kysely, type Transaction, sql } from 'kysely';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { METRICS_COPY_COLUMNS, type MetricsBatch } from '../metrics-copy-format';
import type { DataSource } from '../../domain/connection';
import type { StreamKind } from '../../domain/platforms';
import { type RecordIssue, type RecordIssueTally, addIssue, emptyIssueTally } from '../../domain/record-quarantine';
import type { Database, MetricRow } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

const COLUMNS = METRICS_COPY_COLUMNS.join(', ');
const UPDATED = METRICS_COPY_COLUMNS.filter((c) => !['connection_id', 'stream', 'entity_id', 'date', 'source', 'org_id', 'platform'].includes(c))
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/** What writing a page did: rows inserted or updated, and rows Postgres refused (left out). */
export interface MetricsPageWrite {
  written: number;
  rejected: RecordIssueTally;
}

/**
 * Writes one page of records, keyed by (connection, stream, entity, date, source) so a re-sync updates
 * rows in place and never duplicates them, and a mock page never overwrites a live row. Runs inside
 * the caller's transaction.
 *
 * A live page first retires the stream's mock rows (retireMockRows): the switch from mock to live
 * happens in the transaction of the first live page, whichever sync, mode change or rollout led to it.
 *
 * Fast path: COPY straight into marketing_metrics under a savepoint, which is what new data (a
 * first sync, a backfill) takes. If any row of the page already exists, COPY stops at it with a
 * unique violation; we roll back to the savepoint and take the upsert path: COPY into a temporary
 * staging table, then INSERT … ON CONFLICT DO UPDATE from it.
 *
 * toMetricsBatch has already cleaned or quarantined what it knows Postgres refuses. Should a row
 * still fail with a data error, the page is not failed (a retry would fail the same way, and in the
 * end disable the connection): it is written in halves, each under its own savepoint, down to the
 * rows that fail alone, which are left out and reported. Only such a page pays for the search.
 */
export async function upsertMetrics(client: pg.PoolClient, batch: MetricsBatch, lineage: { syncLogId?: string } = {}): Promise<MetricsPageWrite> {
  const rejected = emptyIssueTally();
  if (batch.source === 'live') await retireMockRows(client, { connectionId: batch.connectionId, stream: batch.stream, syncLogId: lineage.syncLogId ?? null });
  if (batch.count === 0) return { written: 0, rejected };
  try {
    return { written: await writeRowsUnderSavepoint(client, batch.copyText, batch.count), rejected };
  } catch (err) {
    if (!isRowError(err)) throw err;
  }
  const written = await writeSeparatingRefused(client, batch.copyText.split('\n').slice(0, -1), rejected);
  return { written, rejected };
}

async function writeRows(client: pg.PoolClient, copyText: string, count: number): Promise<number> {
  await client.query('savepoint metrics_page');
  try {
    await copyInto(client, 'marketing_metrics', copyText);
    await client.query('release savepoint metrics_page');
    return count;
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    await client.query('rollback to savepoint metrics_page');
  }
  await client.query('create temporary table if not exists marketing_metrics_stage (like marketing_metrics including defaults) on commit delete rows');
  await copyInto(client, 'marketing_metrics_stage', copyText);
  const result = await client.query(
    `insert into marketing_metrics as m (${COLUMNS}, synced_at)
     select ${COLUMNS}, now() from marketing_metrics_stage
     on conflict (connection_id, stream, entity_id, date, source) do update set ${UPDATED}, synced_at = excluded.synced_at`,
  );
  await client.query('truncate marketing_metrics_stage');
  return result.rowCount ?? 0;
}

/** writeRows, undone whole if it fails, so the transaction can go on. */
async function writeRowsUnderSavepoint(client: pg.PoolClient, copyText: string, count: number): Promise<number> {
  await client.query('savepoint metrics_rows');
  try {
    const written = await writeRows(client, copyText, count);
    await client.query('release savepoint metrics_rows');
    return written;
  } catch (err) {
    await client.query('rollback to savepoint metrics_rows');
    await client.query('release savepoint metrics_rows');
    throw err;
  }
}

/** Bisects the page's COPY lines: halves that write go in, a line that fails alone is refused. */
async function writeSeparatingRefused(client: pg.PoolClient, lines: readonly string[], rejected: RecordIssueTally): Promise<number> {
  if (lines.length === 0) return 0;
  try {
    return await writeRowsUnderSavepoint(client, `${lines.join('\n')}\n`, lines.length);
  } catch (err) {
    if (!isRowError(err)) throw err;
    if (lines.length === 1) {
      addIssue(rejected, refusedRow(lines[0]!, err as pg.DatabaseError));
      return 0;
    }
  }
  const half = Math.ceil(lines.length / 2);
  return (await writeSeparatingRefused(client, lines.slice(0, half), rejected)) + (await writeSeparatingRefused(client, lines.slice(half), rejected));
}

/**
 * Errors a row's values cause, so that its page can go in without it: data exceptions (class 22: bad
 * encoding, out of range, invalid input), a not-null or check violation, a key too long to index (54000),
 * and the same key twice in one page (21000: halves write them one after the other, the later wins).
 */
function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return code.startsWith('22') || ROW_ERRORS.has(code);
}

const ROW_ERRORS = new Set(['23502', '23514', '54000', '21000']);

/** Which row Postgres refused and why: its key from the COPY line, the column and SQLSTATE, never the values. */
function refusedRow(line: string, err: pg.DatabaseError): RecordIssue {
  const fields = line.split('\t').map(unescapeCopyField);
  const at = (column: (typeof METRICS_COPY_COLUMNS)[number]) => fields[METRICS_COPY_COLUMNS.indexOf(column)] ?? null;
  const column = err.column ?? /column (\w+)/.exec(err.where ?? '')?.[1] ?? 'row';
  // Postgres quotes the offending value (and names) in its message: leave them out.
  const reason = `${(err.message ?? 'refused').replace(/"[^"]*"/g, '"…"')} (SQLSTATE ${err.code})`;
  return { stream: at('stream') ?? '', entityId: at('entity_id'), date: at('date'), field: column, reason };
}

function unescapeCopyField(value: string): string | null {
  if (value === '\\N') return null;
  return value.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c);
}

/** Every column of a metric row, for moving rows between marketing_metrics and its mock archive. */
const ROW_COLUMNS = `${COLUMNS}, synced_at, first_synced_at`;

/**
 * Moves a stream's mock rows out of marketing_metrics into marketing_metrics_mock_archive, in the
 * caller's transaction. Cheap when there are none (the partial index holds mock rows only), which is
 * every live page after the first. Returns the rows moved.
 */
export async function retireMockRows(client: pg.PoolClient, stream: { connectionId: string; stream: StreamKind; syncLogId: string | null }): Promise<number> {
  const result = await client.query(
    `with retired as (
       delete from marketing_metrics where connection_id = $1 and stream = $2 and source = 'mock' returning ${ROW_COLUMNS}
     )
     insert into marketing_metrics_mock_archive (${ROW_COLUMNS}, archived_by_sync_log_id)
     select ${ROW_COLUMNS}, $3::uuid from retired`,
    [stream.connectionId, stream.stream, stream.syncLogId],
  );
  return result.rowCount ?? 0;
}

const UNIQUE_VIOLATION = '23505';

async function copyInto(client: pg.PoolClient, table: string, copyText: string): Promise<void> {
  await pipeline(Readable.from([copyText]), client.query(copyFrom(`copy ${table} (${COLUMNS}) from stdin`)));
}

/** Which rows a read is of: live unless the caller asks for mock. */
export interface SourceFilter {
  source?: DataSource;
}

export async function countMetrics(db: Db, connectionId: string, filter: SourceFilter = {}): Promise<number> {
  const row = await db
    .selectFrom('marketing_metrics')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('connection_id', '=', connectionId)
    .where('source', '=', filter.source ?? 'live')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listMetrics(db: Db, connectionId: string, page: { limit: number; offset: number } & SourceFilter): Promise<MetricRow[]> {
  return db
    .selectFrom('marketing_metrics')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('source', '=', page.source ?? 'live')
    .orderBy('date', 'desc')
    .orderBy('stream')
    .orderBy('entity_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** The earliest day stored per stream of a connection by the source (a resync of that source re-reads from there). */
export async function earliestMetricDates(db: Db, connectionId: string, source: DataSource): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('marketing_metrics')
    .select(['stream', (eb) => eb.fn.min<string>('date').as('earliest')])
    .where('connection_id', '=', connectionId)
    .where('source', '=', source)
    .groupBy('stream')
    .execute();
  return new Map(rows.map((r) => [r.stream, r.earliest]));
}

/**
 * Deletes the rows a completed resync did not rewrite: rows the platform no longer reports. Only rows
 * of the source the resync read (a resync served by mock, or one that fell back to it, removes no
 * live row), and per stream only inside the days the source answered: within the stream's planned
 * window and between the first and last day the resync wrote for it. A platform that keeps only its
 * last N days answers those, so the stored older days stay; a stream that answered nothing loses nothing.
 * Called when the resync completes, in its closing transaction, so a resync that fails part-way removes nothing.
 */
export async function removeMetricsNotWrittenSince(
  db: Db,
  resync: { connectionId: string; source: DataSource; since: Date; streams: readonly { stream: StreamKind; window_start: string; window_end: string }[] },
): Promise<number> {
  if (resync.streams.length === 0) return 0;
  const windows = sql.join(resync.streams.map((s) => sql`(${s.stream}, ${s.window_start}::date, ${s.window_end}::date)`));
  const result = await sql`
    with planned (stream, window_start, window_end) as (values ${windows}),
    answered as (
      select m.stream, greatest(min(m.date), p.window_start) as first_day, least(max(m.date), p.window_end) as last_day
      from marketing_metrics m join planned p on p.stream = m.stream
      where m.connection_id = ${resync.connectionId} and m.source = ${resync.source} and m.synced_at >= ${resync.since}
        and m.date between p.window_start and p.window_end
      group by m.stream, p.window_start, p.window_end
    )
    delete from marketing_metrics m using answered a
    where m.connection_id = ${resync.connectionId} and m.source = ${resync.source} and m.stream = a.stream
      and m.date between a.first_day and a.last_day and m.synced_at < ${resync.since}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
