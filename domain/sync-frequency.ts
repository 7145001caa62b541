import { SYNC_FREQUENCIES, type SyncFrequency } from './connection';

/** A cron expression of five fields (minute hour day-of-month month day-of-week), as `sync_frequency`. */
const CRON = /^(\S+\s+){4}\S+$/;

/** A connection's sync frequency: one of the named ones, or a five-field cron expression. */
export function isSyncFrequency(value: string): boolean {
  return (SYNC_FREQUENCIES as readonly string[]).includes(value) || CRON.test(value.trim());
}

/** When a Schedule runs a connection's syncs; null for manual connections (no Schedule). */
export type SyncScheduleSpec = { intervalMs: number } | { cron: string } | null;

const HOUR = 3_600_000;
const INTERVALS: Record<Exclude<SyncFrequency, 'manual'>, number> = {
  hourly: HOUR,
  every_6_hours: 6 * HOUR,
  daily: 24 * HOUR,
  weekly: 7 * 24 * HOUR,
};

export function syncScheduleSpec(frequency: string): SyncScheduleSpec {
  if (frequency === 'manual') return null;
  if (frequency in INTERVALS) return { intervalMs: INTERVALS[frequency as keyof typeof INTERVALS] };
  return { cron: frequency.trim() };
}

/**
 * Spreads a connection's runs over a tenth of its interval (at most 30 minutes), so thousands of
 * daily connections do not all call their platforms at the same second.
 */
export function syncScheduleJitterMs(spec: NonNullable<SyncScheduleSpec>): number {
  const period = 'intervalMs' in spec ? spec.intervalMs : HOUR;
  return Math.min(period / 10, 30 * 60_000);
}
