import { z } from 'zod';
import { addDays, type DateWindow } from '../../domain/sync';
import { ConnectorError } from '../connector-error';

/**
 * Where an X Ads stats read stands. Synchronous analytics take at most 20 promoted tweets and 7 days per call, so a
 * sync window is read batch by batch (a page of the promoted tweets listing each) and, per batch, week by week.
 */
export interface StatsPosition {
  /** The promoted tweets being read, as [id, line item id]; null when the next page starts by listing them. */
  batch: [string, string][] | null;
  /** The listing cursor of the promoted tweets after this batch (or of the batch itself, when `batch` is null). */
  listing: string | null;
  /** The first day of the next stats range. */
  from: string;
}

/** Synchronous analytics take at most 7 days (end_time − start_time) per call. */
export const MAX_STATS_DAYS = 7;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const statsPositionSchema = z.object({
  batch: z
    .array(z.tuple([z.string(), z.string()]))
    .min(1)
    .nullable(),
  listing: z.string().nullable(),
  from: isoDate,
});

export function statsRange(window: DateWindow, from: string): DateWindow {
  const last = addDays(from, MAX_STATS_DAYS - 1);
  return { startDate: from, endDate: last < window.endDate ? last : window.endDate };
}

export function formatStatsCursor(position: StatsPosition): string {
  return JSON.stringify(position);
}

export function parseStatsCursor(cursor: string, window: DateWindow): StatsPosition {
  let parsed: StatsPosition | undefined;
  try {
    parsed = statsPositionSchema.safeParse(JSON.parse(cursor)).data;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.from < window.startDate || parsed.from > window.endDate) {
    throw new ConnectorError('malformed', `X Ads cursor does not belong to ${window.startDate}..${window.endDate}`);
  }
  return parsed;
}

/** The position after a stats call: the next week of the same batch, else the next batch from the window's start. */
export function nextStatsPosition(window: DateWindow, current: StatsPosition & { batch: [string, string][] }): StatsPosition | null {
  const { endDate } = statsRange(window, current.from);
  if (endDate < window.endDate) return { ...current, from: addDays(endDate, 1) };
  return current.listing === null ? null : { batch: null, listing: current.listing, from: window.startDate };
}
