import { effectiveRetentionDays, retentionCutoffDate } from '../../domain/data-retention';

describe('retentionCutoffDate', () => {
  it('keeps today and the days before it: 1 day keeps only today, 30 days reaches back 29', () => {
    const today = new Date('2026-03-10T23:59:59Z');
    expect(retentionCutoffDate(1, today)).toBe('2026-03-10');
    expect(retentionCutoffDate(30, today)).toBe('2026-02-09');
  });

  it('counts UTC days, across month, year and leap-day boundaries', () => {
    expect(retentionCutoffDate(10, new Date('2026-01-03T00:00:00Z'))).toBe('2025-12-25');
    expect(retentionCutoffDate(2, new Date('2028-03-01T08:00:00Z'))).toBe('2028-02-29');
    expect(retentionCutoffDate(3650, new Date('2026-12-04T12:00:00Z'))).toBe('2016-12-07');
  });

  it('refuses less than one whole day', () => {
    expect(() => retentionCutoffDate(0, new Date())).toThrow(RangeError);
    expect(() => retentionCutoffDate(1.5, new Date())).toThrow(RangeError);
  });
});

describe('effectiveRetentionDays', () => {
  it("a connection's override wins, a null override keeps forever, and without one the org's default applies", () => {
    expect(effectiveRetentionDays(90, { retentionDays: 30 })).toBe(30);
    expect(effectiveRetentionDays(90, { retentionDays: null })).toBeNull();
    expect(effectiveRetentionDays(90, undefined)).toBe(90);
    expect(effectiveRetentionDays(null, undefined)).toBeNull();
  });
});
