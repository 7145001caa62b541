import { advancedCursor, envelopeWindow, streamWindow } from '../../domain/sync-window';
import { failureEscalation } from '../../domain/sync-failure-policy';

const settings = { today: '2026-03-20', defaultWindowDays: 30, lookbackDays: 7 };

describe('streamWindow', () => {
  it("reads the default window on a stream's first sync", () => {
    expect(streamWindow({ kind: 'incremental', category: 'advertising', syncedThrough: null }, settings)).toEqual({
      startDate: '2026-02-19',
      endDate: '2026-03-20',
    });
    expect(streamWindow({ kind: 'incremental', category: 'crm', syncedThrough: null }, settings)).toEqual({ startDate: '2026-02-19', endDate: '2026-03-20' });
  });

  it('starts an ad platform from its cursor less the lookback, others from the cursor', () => {
    expect(streamWindow({ kind: 'incremental', category: 'advertising', syncedThrough: '2026-03-18' }, settings)).toEqual({
      startDate: '2026-03-11',
      endDate: '2026-03-20',
    });
    expect(streamWindow({ kind: 'incremental', category: 'ecommerce', syncedThrough: '2026-03-18' }, settings)).toEqual({
      startDate: '2026-03-18',
      endDate: '2026-03-20',
    });
    expect(streamWindow({ kind: 'incremental', category: 'advertising', syncedThrough: '2026-03-18' }, { ...settings, lookbackDays: 0 })).toEqual({
      startDate: '2026-03-18',
      endDate: '2026-03-20',
    });
    // A long pause catches up from the cursor, whatever the default window.
    expect(streamWindow({ kind: 'incremental', category: 'crm', syncedThrough: '2025-06-01' }, settings)).toEqual({
      startDate: '2025-06-01',
      endDate: '2026-03-20',
    });
    // A cursor ahead of today (clock change) still gives a valid window.
    expect(streamWindow({ kind: 'incremental', category: 'crm', syncedThrough: '2026-04-01' }, settings)).toEqual({
      startDate: '2026-03-20',
      endDate: '2026-03-20',
    });
  });

  it('syncs a backfill exactly over its range, cursor or not', () => {
    const backfill = { startDate: '2024-01-01', endDate: '2024-02-01' };
    expect(streamWindow({ kind: 'backfill', category: 'advertising', syncedThrough: '2026-03-18', backfill }, settings)).toEqual(backfill);
    expect(() => streamWindow({ kind: 'backfill', category: 'advertising', syncedThrough: null }, settings)).toThrow(/range/);
  });

  it('resyncs from the earliest stored day (or the default start) to today, ignoring the cursor', () => {
    expect(streamWindow({ kind: 'resync', category: 'advertising', syncedThrough: '2026-03-18', earliestStored: '2025-01-10' }, settings)).toEqual({
      startDate: '2025-01-10',
      endDate: '2026-03-20',
    });
    expect(streamWindow({ kind: 'resync', category: 'advertising', syncedThrough: '2026-03-18', earliestStored: '2026-03-15' }, settings)).toEqual({
      startDate: '2026-02-19',
      endDate: '2026-03-20',
    });
    expect(streamWindow({ kind: 'resync', category: 'crm', syncedThrough: null }, settings)).toEqual({ startDate: '2026-02-19', endDate: '2026-03-20' });
  });
});

describe('advancedCursor', () => {
  const w = (startDate: string, endDate: string) => ({ startDate, endDate });
  it('moves an incremental or resync cursor to the window end, never backwards', () => {
    expect(advancedCursor('incremental', w('2026-03-01', '2026-03-20'), null)).toBe('2026-03-20');
    expect(advancedCursor('incremental', w('2026-03-01', '2026-03-20'), '2026-03-10')).toBe('2026-03-20');
    expect(advancedCursor('incremental', w('2026-03-01', '2026-03-20'), '2026-03-20')).toBeNull();
    expect(advancedCursor('resync', w('2026-01-01', '2026-03-09'), '2026-03-10')).toBeNull();
  });
  it('moves it on a backfill only when the range joins the synced days', () => {
    expect(advancedCursor('backfill', w('2024-01-01', '2024-02-01'), '2026-03-10')).toBeNull();
    expect(advancedCursor('backfill', w('2024-01-01', '2024-02-01'), null)).toBeNull();
    expect(advancedCursor('backfill', w('2026-03-11', '2026-03-15'), '2026-03-10')).toBe('2026-03-15');
    expect(advancedCursor('backfill', w('2026-03-12', '2026-03-15'), '2026-03-10')).toBeNull();
    expect(advancedCursor('backfill', w('2026-01-01', '2026-03-15'), '2026-03-10')).toBe('2026-03-15');
  });
});

describe('envelopeWindow', () => {
  it('covers every window, or falls back when there are none', () => {
    const fallback = { startDate: '2026-01-01', endDate: '2026-01-02' };
    expect(
      envelopeWindow(
        [
          { startDate: '2026-03-01', endDate: '2026-03-20' },
          { startDate: '2026-02-01', endDate: '2026-03-19' },
        ],
        fallback,
      ),
    ).toEqual({ startDate: '2026-02-01', endDate: '2026-03-20' });
    expect(envelopeWindow([], fallback)).toBe(fallback);
  });
});

describe('failureEscalation', () => {
  const thresholds = { warnAfter: 3, disableAfter: 6 };
  it('warns once on reaching the warning run, disables from the disabling run on', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => failureEscalation(n, thresholds))).toEqual(['none', 'none', 'warn', 'none', 'none', 'disable', 'disable']);
  });
});
