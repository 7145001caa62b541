import { loadPlatformQuotas } from '../../config/platform-quotas-config';
import {
  type BucketReading,
  DEFAULT_PLATFORM_QUOTAS,
  QUOTA_HEADROOM,
  type RefillBucket,
  compileQuota,
  fixedWindowAt,
  lateSendToleranceMs,
  quotaProblem,
  refilledTokens,
  reservationOutcome,
  secondsUntilAffordable,
  shouldGrant,
} from '../../domain/platform-quotas';
import { PLATFORM_IDS } from '../../domain/platforms';

/** The most requests any window of `widthMs` holds, over sorted send times. */
function busiestWindow(times: number[], widthMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= widthMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Reserves like the Postgres statement does (debt allowed), for requests arriving at `demand` (ms); answers send times. */
function simulateReservations(bucket: RefillBucket, demand: number[]): number[] {
  let tokens = bucket.capacity;
  let updatedMs = 0;
  return demand.map((atMs) => {
    const at = Math.max(atMs, updatedMs);
    const available = refilledTokens(bucket, tokens, (at - updatedMs) / 1000);
    const wait = secondsUntilAffordable(bucket, available, 1);
    tokens = available - 1;
    updatedMs = at;
    return at + wait * 1000;
  });
}

describe('platform quotas', () => {
  it('documents every platform, each quota usable', () => {
    expect(Object.keys(DEFAULT_PLATFORM_QUOTAS).sort()).toEqual([...PLATFORM_IDS].sort());
    for (const quotas of Object.values(DEFAULT_PLATFORM_QUOTAS)) {
      for (const quota of quotas) expect(quotaProblem(quota)).toBeNull();
    }
    expect(DEFAULT_PLATFORM_QUOTAS.amazon_seller_central).toEqual([expect.objectContaining({ kind: 'token_bucket', burst: 20, perSecond: 0.0167 })]);
    expect(DEFAULT_PLATFORM_QUOTAS.stripe).toContainEqual(expect.objectContaining({ limit: 100, windowSeconds: 1 }));
  });

  it('turns "N per W" into a bucket whose burst plus refill over W is the headroom share of N', () => {
    for (const [limit, windowSeconds] of [
      [10, 1],
      [100, 10],
      [15_000, 86_400],
      [3, 1],
    ] as const) {
      const bucket = compileQuota({ kind: 'rolling', name: 'q', scope: 'app', limit, windowSeconds });
      if (bucket.kind !== 'bucket') throw new Error('expected a refilling bucket');
      expect(bucket.capacity).toBeGreaterThanOrEqual(1);
      expect(bucket.capacity + bucket.perSecond * windowSeconds).toBeCloseTo(limit * QUOTA_HEADROOM, 9);
    }
    expect(compileQuota({ kind: 'token_bucket', name: 'leaky', scope: 'account', burst: 40, perSecond: 2 })).toEqual({
      kind: 'bucket',
      name: 'leaky',
      scope: 'account',
      capacity: 36,
      perSecond: 1.8,
    });
    expect(quotaProblem({ kind: 'rolling', name: 'one', scope: 'app', limit: 1, windowSeconds: 1 })).toMatch(/at least/);
  });

  it('never sends more than the quota in any window, however bursty the demand', () => {
    const limit = 20;
    const bucket = compileQuota({ kind: 'rolling', name: 'q', scope: 'app', limit, windowSeconds: 1 }) as RefillBucket;
    // Bursts of 50 simultaneous requests, quiet gaps, then a steady overload.
    const demand = [...Array(50).fill(0), ...Array(50).fill(5_000), ...Array.from({ length: 300 }, (_, i) => 10_000 + i * 10)];
    const sent = simulateReservations(bucket, demand).sort((a, b) => a - b);
    expect(busiestWindow(sent, 1000)).toBeLessThanOrEqual(limit);
    // And it does not starve: over the overload it sends at the bucket's rate.
    const overload = sent.filter((t) => t >= 10_000);
    const seconds = (overload.at(-1)! - overload[0]!) / 1000;
    expect(overload.length / seconds).toBeCloseTo(bucket.perSecond, 0);
  });

  it('aligns fixed windows to the epoch and their offset', () => {
    const day = { windowSeconds: 86_400, offsetSeconds: 0 };
    const at = Date.parse('2026-11-25T13:45:00Z');
    expect(fixedWindowAt(day, at)).toEqual({ startMs: Date.parse('2026-11-25T00:00:00Z'), resetMs: Date.parse('2026-11-26T00:00:00Z') });
    // Midnight Pacific (UTC−8): the window that started at 08:00 UTC.
    expect(fixedWindowAt({ windowSeconds: 86_400, offsetSeconds: 8 * 3600 }, at).startMs).toBe(Date.parse('2026-11-25T08:00:00Z'));
    expect(fixedWindowAt({ windowSeconds: 3, offsetSeconds: 0 }, 10_500)).toEqual({ startMs: 9_000, resetMs: 12_000 });
  });

  it('grants within the wait limit, pauses on a spent window until its reset, or on a long wait until the token is due', () => {
    const perSecond = compileQuota({ kind: 'rolling', name: 'per_second', scope: 'app', limit: 10, windowSeconds: 1 });
    const daily = compileQuota({ kind: 'fixed_window', name: 'daily', scope: 'account', limit: 100, windowSeconds: 86_400 });
    const reading = (bucket: typeof perSecond, available: number, waitSeconds: number, resetMs: number | null = null): BucketReading => ({
      bucket,
      available,
      waitSeconds,
      resetMs,
    });

    const waiting = [reading(perSecond, -1, 2), reading(daily, 5, 0, 86_400_000)];
    expect(shouldGrant(waiting, 1, 60)).toBe(true);
    expect(reservationOutcome(waiting, true, 1000)).toEqual({ kind: 'granted', waitMs: 2000, throttledBy: ['per_second'], lateToleranceMs: 125 });

    const spent = [reading(perSecond, 1, 0), reading(daily, 0, 0, 86_400_000)];
    expect(shouldGrant(spent, 1, 60)).toBe(false);
    expect(reservationOutcome(spent, false, 1000)).toEqual({ kind: 'paused', reason: 'window_exhausted', untilMs: 86_400_000, exhausted: ['daily'] });

    // Burst 1 and 8 per second (9 per second less the burst): one token's interval is 125 ms.
    const perMinute = compileQuota({ kind: 'rolling', name: 'per_minute', scope: 'app', limit: 100, windowSeconds: 60 });
    expect(lateSendToleranceMs([reading(perSecond, -1, 2), reading(perMinute, -1, 30)])).toBe(125);
    expect(lateSendToleranceMs([])).toBe(Number.POSITIVE_INFINITY);

    const queued = [reading(perSecond, -700, 90)];
    expect(shouldGrant(queued, 1, 60)).toBe(false);
    expect(reservationOutcome(queued, false, 1000)).toEqual({ kind: 'paused', reason: 'wait_too_long', untilMs: 91_000, exhausted: ['per_second'] });
  });

  it('reads PLATFORM_QUOTAS overrides and rejects unusable ones', () => {
    expect(loadPlatformQuotas(undefined)).toBe(DEFAULT_PLATFORM_QUOTAS);
    const quotas = loadPlatformQuotas(
      JSON.stringify({ google_ads: [{ kind: 'rolling', name: 'per_second', scope: 'app', limit: 5, windowSeconds: 1 }], paypal: [] }),
    );
    expect(quotas.google_ads).toEqual([{ kind: 'rolling', name: 'per_second', scope: 'app', limit: 5, windowSeconds: 1 }]);
    expect(quotas.paypal).toEqual([]);
    expect(quotas.stripe).toBe(DEFAULT_PLATFORM_QUOTAS.stripe);
    expect(() => loadPlatformQuotas('{')).toThrow(/PLATFORM_QUOTAS is not valid JSON/);
    expect(() => loadPlatformQuotas(JSON.stringify({ myspace: [] }))).toThrow(/PLATFORM_QUOTAS/);
    expect(() => loadPlatformQuotas(JSON.stringify({ stripe: [{ kind: 'rolling', name: 'x', scope: 'app', limit: 0, windowSeconds: 1 }] }))).toThrow(/limit/);
    expect(() => loadPlatformQuotas(JSON.stringify({ stripe: [{ kind: 'rolling', name: 'x', scope: 'app', limit: 1, windowSeconds: 1 }] }))).toThrow(
      /at least/,
    );
    const twice = { kind: 'rolling', name: 'x', scope: 'app', limit: 5, windowSeconds: 1 };
    expect(() => loadPlatformQuotas(JSON.stringify({ stripe: [twice, twice] }))).toThrow(/repeat/);
  });
});
