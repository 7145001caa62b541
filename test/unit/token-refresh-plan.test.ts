import { DEFAULT_TOKEN_REFRESH_TIMING, planTokenRefresh, tokenRefreshDue, tokenRefreshWaitMs } from '../../domain/token-refresh-plan';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (msFromNow: number) => new Date(NOW.getTime() + msFromNow);
const MINUTE = 60_000;
const timing = { skewMs: 5 * MINUTE, minIntervalMs: 10_000 };
/** A token with a refresh token, expiring at `expiresAt`, planned now. */
const plan = (expiresAt: Date, t = timing) => planTokenRefresh({ hasRefreshToken: true, expiresAt }, NOW, t);

describe('planTokenRefresh', () => {
  it('schedules the refresh one skew before expiry', () => {
    expect(plan(at(60 * MINUTE))).toEqual({ status: 'scheduled', refreshAt: at(55 * MINUTE) });
    // Just over twice the skew: still one skew before expiry.
    expect(plan(at(10 * MINUTE + 1))).toEqual({ status: 'scheduled', refreshAt: at(5 * MINUTE + 1) });
  });

  it('refreshes a token living less than twice the skew at half its remaining life, and never sooner than the minimum interval', () => {
    expect(plan(at(10 * MINUTE))).toEqual({ status: 'scheduled', refreshAt: at(5 * MINUTE) });
    expect(plan(at(6 * MINUTE))).toEqual({ status: 'scheduled', refreshAt: at(3 * MINUTE) });
    expect(plan(at(15_000))).toEqual({ status: 'scheduled', refreshAt: at(10_000) });
    // Already expired (a worker down for a while): soon, but not in a loop.
    expect(plan(at(-MINUTE))).toEqual({ status: 'scheduled', refreshAt: at(10_000) });
  });

  it('ends the loop when there is no refresh token, or the platform did not say when the token expires', () => {
    expect(planTokenRefresh({ hasRefreshToken: false, expiresAt: at(MINUTE) }, NOW, timing)).toEqual({ status: 'ended', reason: 'no_refresh_token' });
    expect(planTokenRefresh({ hasRefreshToken: false, expiresAt: null }, NOW, timing)).toEqual({ status: 'ended', reason: 'no_refresh_token' });
    expect(planTokenRefresh({ hasRefreshToken: true, expiresAt: null }, NOW, timing)).toEqual({ status: 'ended', reason: 'not_expiring' });
  });

  it('by default refreshes five minutes before expiry, at least ten seconds apart', () => {
    expect(plan(at(60 * MINUTE), DEFAULT_TOKEN_REFRESH_TIMING)).toEqual({ status: 'scheduled', refreshAt: at(55 * MINUTE) });
    expect(plan(at(1_000), DEFAULT_TOKEN_REFRESH_TIMING)).toEqual({ status: 'scheduled', refreshAt: at(10_000) });
  });

  it('plans refreshes that the due check accepts when they come, so a scheduled refresh is never answered "current"', () => {
    for (const life of [60 * MINUTE, 10 * MINUTE + 1, 10 * MINUTE, 6 * MINUTE, 30_000, 1_000]) {
      const expiresAt = at(life);
      const planned = plan(expiresAt);
      if (planned.status !== 'scheduled') throw new Error(`not scheduled: ${planned.reason}`);
      expect(tokenRefreshDue(expiresAt, planned.refreshAt, timing.skewMs)).toBe(true);
    }
    // A long-lived token is not refreshed a moment early.
    expect(tokenRefreshDue(at(60 * MINUTE), at(55 * MINUTE - 1), timing.skewMs)).toBe(false);
  });
});

describe('tokenRefreshDue', () => {
  it('is due within the skew of expiry, or when the expiry is unknown', () => {
    expect(tokenRefreshDue(at(5 * MINUTE), NOW, timing.skewMs)).toBe(true);
    expect(tokenRefreshDue(at(5 * MINUTE + 1), NOW, timing.skewMs)).toBe(false);
    expect(tokenRefreshDue(at(-MINUTE), NOW, timing.skewMs)).toBe(true);
    expect(tokenRefreshDue(null, NOW, timing.skewMs)).toBe(true);
  });
});

describe('tokenRefreshWaitMs', () => {
  const nowMs = NOW.getTime();
  it('waits until the refresh instant', () => {
    expect(tokenRefreshWaitMs(at(90_000).toISOString(), nowMs, false)).toBe(90_000);
    expect(tokenRefreshWaitMs(at(1).toISOString(), nowMs, false)).toBe(1);
  });

  it('refreshes now when refreshNow is pending, the instant has passed, or it cannot be read', () => {
    expect(tokenRefreshWaitMs(at(90_000).toISOString(), nowMs, true)).toBe(0);
    expect(tokenRefreshWaitMs(NOW.toISOString(), nowMs, false)).toBe(0);
    expect(tokenRefreshWaitMs(at(-5_000).toISOString(), nowMs, false)).toBe(0);
    expect(tokenRefreshWaitMs('not a date', nowMs, false)).toBe(0);
  });
});
