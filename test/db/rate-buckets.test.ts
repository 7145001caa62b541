import { randomUUID } from 'node:crypto';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { listRateBuckets, reserveRequest } from '../../db/repositories/rate-buckets';
import type { QuotaBucket } from '../../domain/platform-quotas';
import { testEnv } from '../setup/test-env';

const unique = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const refill = (capacity: number, perSecond: number, scope: 'app' | 'account' = 'app'): QuotaBucket => ({
  kind: 'bucket',
  name: unique('rate'),
  scope,
  capacity,
  perSecond,
});
const window = (capacity: number, windowSeconds: number, scope: 'app' | 'account' = 'app'): QuotaBucket => ({
  kind: 'window',
  name: unique('daily'),
  scope,
  capacity,
  windowSeconds,
  offsetSeconds: 0,
});

describe('rate buckets (migrated Postgres)', () => {
  /** Separate pools stand for separate worker processes: they share nothing but the rows. */
  const pools: DatabaseHandle[] = [];

  beforeAll(() => {
    for (let i = 0; i < 4; i++) pools.push(createDatabase(testEnv('databaseUrl'), { max: 8 }));
  });
  afterAll(() => Promise.all(pools.map((p) => p.close())));
  const db = () => pools[0]!.db;

  it('refills by elapsed time; a token not yet due is reserved with its wait, a longer wait refused without spending', async () => {
    const bucket = refill(3, 1);
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    const reserve = (seconds: number, maxWaitSeconds = 10) =>
      reserveRequest(db(), { platform: 'stripe', accountId: 'acct_1', buckets: [bucket], maxWaitSeconds, at: at(seconds) });

    for (let i = 0; i < 3; i++) expect(await reserve(0)).toMatchObject({ granted: true, readings: [{ waitSeconds: 0 }] });
    // Empty: the fourth is due in a second, the fifth in two.
    expect((await reserve(0)).readings[0]).toMatchObject({ available: 0, waitSeconds: 1 });
    expect((await reserve(0)).readings[0]).toMatchObject({ available: -1, waitSeconds: 2 });
    // Two seconds later the debt is paid; a wait over the limit is refused and spends nothing.
    expect(await reserve(2)).toMatchObject({ granted: true, readings: [{ available: 0, waitSeconds: 1 }] });
    expect(await reserve(2, 0.5)).toMatchObject({ granted: false, readings: [{ available: -1, waitSeconds: 2 }] });
    expect(await reserve(2, 0.5)).toMatchObject({ granted: false, readings: [{ available: -1 }] });
    // Refilled to its burst, never beyond.
    expect((await reserve(60)).readings[0]).toMatchObject({ available: 3, waitSeconds: 0 });
  });

  it('counts a fixed window down to empty, refuses until it resets, and charges no bucket when any refuses', async () => {
    const daily = window(2, 10, 'account');
    const perSecond = refill(100, 100, 'account');
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    const reserve = (seconds: number) =>
      reserveRequest(db(), { platform: 'linkedin_ads', accountId: 'member-1', buckets: [daily, perSecond], maxWaitSeconds: 60, at: at(seconds) });

    expect((await reserve(1)).granted).toBe(true);
    expect((await reserve(2)).granted).toBe(true);
    const refused = await reserve(3);
    expect(refused.granted).toBe(false);
    expect(refused.readings.find((r) => r.bucket.kind === 'window')).toMatchObject({ available: 0, resetMs: at(10).getTime() });
    const rows = await listRateBuckets(db(), 'linkedin_ads');
    // The refused request took nothing from the per-second bucket: refilled to its burst, not one below.
    expect(rows.find((r) => r.quota === perSecond.name)?.tokens).toBeCloseTo(100, 6);
    expect((await reserve(10)).granted).toBe(true);
    // Another account has its own window.
    expect(
      (await reserveRequest(db(), { platform: 'linkedin_ads', accountId: 'member-2', buckets: [daily, perSecond], maxWaitSeconds: 60, at: at(3) })).granted,
    ).toBe(true);
  });

  it('grants exactly the capacity to many concurrent acquirers in separate pools', async () => {
    const daily = window(25, 3600);
    const burst = refill(10, 1e-6);
    const attempt = (buckets: QuotaBucket[], i: number) =>
      reserveRequest(pools[i % pools.length]!.db, { platform: 'hubspot', accountId: 'portal-1', buckets, maxWaitSeconds: 0 });

    const windowResults = await Promise.all(Array.from({ length: 80 }, (_, i) => attempt([daily], i)));
    expect(windowResults.filter((r) => r.granted)).toHaveLength(25);
    const bucketResults = await Promise.all(Array.from({ length: 80 }, (_, i) => attempt([burst], i)));
    expect(bucketResults.filter((r) => r.granted)).toHaveLength(10);
  });

  it('queues concurrent reservations so that their due times never exceed burst plus rate over any interval', async () => {
    const capacity = 5;
    const perSecond = 50;
    const bucket = refill(capacity, perSecond);
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        reserveRequest(pools[i % pools.length]!.db, { platform: 'shopify', accountId: 'shop-1', buckets: [bucket], maxWaitSeconds: 30 }),
      ),
    );
    expect(results.every((r) => r.granted)).toBe(true);
    const due = results.map((r) => r.atMs + r.readings[0]!.waitSeconds * 1000).sort((a, b) => a - b);
    for (let i = 0; i < due.length; i++) {
      for (let j = i; j < due.length; j++) {
        // j − i + 1 requests due within [due_i, due_j]: at most the burst plus what refilled meanwhile
        // (give or take the float rounding of epoch milliseconds).
        expect(j - i + 1).toBeLessThanOrEqual(capacity + perSecond * ((due[j]! - due[i]!) / 1000) + 1e-3);
      }
    }
    // 115 requests beyond the burst at 50/s: the last is due about 2.3 s after the first.
    expect((due.at(-1)! - due[0]!) / 1000).toBeGreaterThanOrEqual((120 - capacity) / perSecond - 0.01);
  });
});
