import { type Kysely, sql } from 'kysely';
import type { PlatformId } from '../../domain/platforms';
import type { BucketReading, QuotaBucket } from '../../domain/platform-quotas';
import type { Database } from '../schema';

export interface BucketReservationRequest {
  platform: PlatformId;
  /** The platform account; keys the per-account buckets. */
  accountId: string;
  buckets: readonly QuotaBucket[];
  /** Refill waits longer than this refuse the request instead of reserving a token. */
  maxWaitSeconds: number;
  cost?: number;
  /** The reservation's clock: the database's clock_timestamp() unless a test pins it. */
  at?: Date;
}

export interface BucketReservation {
  granted: boolean;
  /** The instant the buckets were read at (epoch ms). */
  atMs: number;
  readings: BucketReading[];
}

interface ReservationRow {
  scope: string;
  scope_key: string;
  quota: string;
  available: number;
  wait_seconds: number;
  reset_at: Date | null;
  /** Epoch ms with the microseconds Postgres keeps (a Date would drop them). */
  at_ms: number;
  granted: boolean;
}

const APP_KEY = '';

/**
 * Reserves one request against every bucket of a platform quota set, all or nothing, in one statement:
 * it locks the rows (in key order, so concurrent reservations never deadlock), refills them by the time
 * elapsed since their last update, decides, and writes them back. No read-modify-write crosses a
 * round trip, so any number of worker processes can spend through the same rows.
 *
 * Refilling buckets may go into debt: a granted request whose token is not yet due gets its wait
 * (`waitSeconds`) and must not be sent before it; later requests queue behind it. Fixed windows never
 * go into debt: an empty window refuses.
 */
export async function reserveRequest(db: Kysely<Database>, request: BucketReservationRequest): Promise<BucketReservation> {
  const cost = request.cost ?? 1;
  const byKey = new Map(request.buckets.map((b) => [`${b.scope}/${b.name}`, b]));
  const column = <T>(pick: (b: QuotaBucket) => T) => request.buckets.map(pick);
  const scopes = column((b) => b.scope);
  const keys = column((b) => (b.scope === 'app' ? APP_KEY : request.accountId));
  const quotas = column((b) => b.name);
  const kinds = column((b) => b.kind);
  const capacities = column((b) => b.capacity);
  const rates = column((b) => (b.kind === 'bucket' ? b.perSecond : 0));
  const widths = column((b) => (b.kind === 'window' ? b.windowSeconds : 0));
  const offsets = column((b) => (b.kind === 'window' ? b.offsetSeconds : 0));
  const at = request.at ?? null;

  // A new bucket starts full: last touched at the epoch, so the first read refills (or resets) it to capacity.
  await sql`
    insert into platform_rate_buckets (platform, scope, scope_key, quota, tokens, updated_at)
    select ${request.platform}, w.scope, w.scope_key, w.quota, w.capacity, 'epoch'
    from unnest(${scopes}::text[], ${keys}::text[], ${quotas}::text[], ${capacities}::float8[]) as w(scope, scope_key, quota, capacity)
    on conflict do nothing
  `.execute(db);

  const { rows } = await sql<ReservationRow>`
    with wanted as (
      select * from unnest(
        ${scopes}::text[], ${keys}::text[], ${quotas}::text[], ${kinds}::text[],
        ${capacities}::float8[], ${rates}::float8[], ${widths}::float8[], ${offsets}::float8[]
      ) as w(scope, scope_key, quota, kind, capacity, per_second, window_seconds, offset_seconds)
    ),
    locked as (
      select b.scope, b.scope_key, b.quota, b.tokens, b.updated_at, w.kind, w.capacity, w.per_second, w.window_seconds, w.offset_seconds
      from platform_rate_buckets b
      join wanted w on w.scope = b.scope and w.scope_key = b.scope_key and w.quota = b.quota
      where b.platform = ${request.platform}
      order by b.scope, b.scope_key, b.quota
      for update of b
    ),
    clocked as (
      -- Never behind the row's own clock: a reservation that waited for the lock must not refill twice.
      select l.*, greatest(l.updated_at, coalesce(${at}::timestamptz, clock_timestamp())) as at,
        to_timestamp(
          floor((extract(epoch from greatest(l.updated_at, coalesce(${at}::timestamptz, clock_timestamp()))) - l.offset_seconds) / nullif(l.window_seconds, 0))
          * l.window_seconds + l.offset_seconds
        ) as window_start
      from locked l
    ),
    readings as (
      select c.*,
        case
          when c.kind = 'bucket' then least(c.capacity, c.tokens + c.per_second * extract(epoch from c.at - c.updated_at)::float8)
          when c.window_start > c.updated_at then c.capacity
          else least(c.capacity, c.tokens)
        end as available
      from clocked c
    ),
    waits as (
      select r.*,
        case when r.kind = 'bucket' then greatest(0, ${cost}::float8 - r.available) / r.per_second else 0 end as wait_seconds
      from readings r
    ),
    decision as (
      select count(*) = ${request.buckets.length}
        and coalesce(bool_and(case when kind = 'window' then available >= ${cost}::float8 else wait_seconds <= ${request.maxWaitSeconds}::float8 end), false) as granted
      from waits
    )
    update platform_rate_buckets b
    set tokens = w.available - case when d.granted then ${cost}::float8 else 0 end,
        updated_at = case when w.kind = 'bucket' then w.at else greatest(w.updated_at, w.window_start) end
    from waits w cross join decision d
    where b.platform = ${request.platform} and b.scope = w.scope and b.scope_key = w.scope_key and b.quota = w.quota
    returning w.scope, w.scope_key, w.quota, w.available, w.wait_seconds,
      w.window_start + make_interval(secs => w.window_seconds) as reset_at, extract(epoch from w.at)::float8 * 1000 as at_ms, d.granted
  `.execute(db);

  const readings = rows.map((row): BucketReading => {
    const bucket = byKey.get(`${row.scope}/${row.quota}`);
    if (!bucket) throw new Error(`Unexpected rate bucket ${row.scope}/${row.quota}`);
    return {
      bucket,
      available: Number(row.available),
      waitSeconds: Number(row.wait_seconds),
      resetMs: bucket.kind === 'window' && row.reset_at ? row.reset_at.getTime() : null,
    };
  });
  const granted = rows.length === request.buckets.length && rows.every((r) => r.granted);
  const atMs = Math.max(...rows.map((r) => Number(r.at_ms)), at?.getTime() ?? 0);
  return { granted, atMs: rows.length > 0 ? atMs : Date.now(), readings };
}

/** The buckets' current rows, for tests and operators. */
export async function listRateBuckets(db: Kysely<Database>, platform: PlatformId) {
  return db.selectFrom('platform_rate_buckets').selectAll().where('platform', '=', platform).orderBy('scope').orderBy('scope_key').orderBy('quota').execute();
}
