import type { PlatformInfo } from './platforms';
import { type DateWindow, addDays, trailingWindow } from './sync';

/**
 * What a sync does. `incremental` starts each stream from its cursor; `backfill` syncs exactly a
 * requested range; `resync` re-reads a stream whole and replaces its rows.
 */
export const SYNC_KINDS = ['incremental', 'backfill', 'resync'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

export interface StreamWindowSettings {
  /** YYYY-MM-DD, the last day a sync reads. */
  today: string;
  /** The window of a stream's first sync: the last N days. */
  defaultWindowDays: number;
  /** Days an ad platform's stream re-reads before its cursor: ad platforms restate recent days (attribution). */
  lookbackDays: number;
}

/** What the plan of one stream depends on. */
export interface StreamWindowInput {
  kind: SyncKind;
  category: PlatformInfo['category'];
  /** The stream's cursor: the last day a completed sync read. Null before its first sync. */
  syncedThrough: string | null;
  /** The requested range of a backfill. */
  backfill?: DateWindow;
  /** The earliest day stored for the stream, so a resync re-reads (and may replace) every stored row. */
  earliestStored?: string | null;
}

/** The days one stream of a sync reads. */
export function streamWindow(input: StreamWindowInput, settings: StreamWindowSettings): DateWindow {
  const first = trailingWindow(settings.today, settings.defaultWindowDays);
  switch (input.kind) {
    case 'backfill':
      if (!input.backfill) throw new Error('A backfill needs its range');
      return input.backfill;
    case 'resync':
      // The cursor is ignored: from the earliest stored day (or the default window's start) to today.
      return { startDate: minDate(first.startDate, input.earliestStored ?? first.startDate), endDate: settings.today };
    case 'incremental': {
      if (input.syncedThrough === null) return first;
      // The cursor's own day is re-read: it was today when it was synced, so it may have been partial.
      const lookback = input.category === 'advertising' ? settings.lookbackDays : 0;
      return { startDate: minDate(addDays(input.syncedThrough, -lookback), settings.today), endDate: settings.today };
    }
  }
}

/**
 * Where a stream's cursor stands once a sync of it has written its last page, or null to leave it.
 * A cursor never moves backwards. A backfill moves it only when its range joins the synced days
 * (starts at or before the day after the cursor): an old range, or a range past a gap, leaves it.
 */
export function advancedCursor(kind: SyncKind, window: DateWindow, syncedThrough: string | null): string | null {
  if (syncedThrough !== null && window.endDate <= syncedThrough) return null;
  if (kind === 'backfill' && (syncedThrough === null || window.startDate > addDays(syncedThrough, 1))) return null;
  return window.endDate;
}

/** The smallest window covering all the given ones (the log's overall window). */
export function envelopeWindow(windows: readonly DateWindow[], fallback: DateWindow): DateWindow {
  if (windows.length === 0) return fallback;
  return {
    startDate: windows.map((w) => w.startDate).reduce(minDate),
    endDate: windows.map((w) => w.endDate).reduce((a, b) => (a > b ? a : b)),
  };
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}
