import { z } from 'zod';
import type { DataSource } from '../domain/connection';

/**
 * Request shapes several routes share, defined once so a limit or a check cannot drift between
 * copies. Route modules compose them into their own bodies and queries.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether a YYYY-MM-DD text names a day of the calendar (2024-02-29 does, 2024-02-30 and 2023-02-29 do not). */
export function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** A calendar day as YYYY-MM-DD (UTC, as the platforms report their days). */
export const IsoDate = z.string().regex(ISO_DATE, 'expected a date as YYYY-MM-DD').refine(isCalendarDate, 'not a real calendar date');

/**
 * The widest range of days one request may name, whether it reads records or backfills a sync:
 * three years of 366 days. Backfills need years of history; reads page through any range with
 * a cursor and integration tests read a bounded number of pages, so none needs a narrower limit.
 */
export const MAX_DATE_RANGE_DAYS = 3 * 366;

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

/**
 * Checks a range of `start_date` and `end_date` (both IsoDate): both or neither, in order, at most
 * MAX_DATE_RANGE_DAYS apart. Applied to the whole object so the route's other fields stay beside it.
 */
export function withDateRange<T extends z.ZodType<{ start_date?: string; end_date?: string }>>(schema: T) {
  return schema.superRefine((v, ctx) => {
    if ((v.start_date === undefined) !== (v.end_date === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'start_date and end_date go together', path: ['end_date'] });
      return;
    }
    if (v.start_date === undefined || v.end_date === undefined) return;
    if (v.start_date > v.end_date) ctx.addIssue({ code: 'custom', message: 'start_date must not be after end_date', path: ['start_date'] });
    else if (dayNumber(v.end_date) - dayNumber(v.start_date) > MAX_DATE_RANGE_DAYS) {
      ctx.addIssue({ code: 'custom', message: `the range may span at most three years (${MAX_DATE_RANGE_DAYS} days)`, path: ['end_date'] });
    }
  });
}

/** The fields of a range a request must name (a read of records). */
export const DateRangeFields = { start_date: IsoDate, end_date: IsoDate };
/** The fields of a range a request may name (a sync backfill, an integration test window): both or neither. */
export const OptionalDateRangeFields = { start_date: IsoDate.optional(), end_date: IsoDate.optional() };

/** A required range alone as a body. */
export const DateRange = withDateRange(z.object(DateRangeFields).strict());
/** An optional range alone as a body (POST …/sync). */
export const OptionalDateRange = withDateRange(z.object(OptionalDateRangeFields).strict());

/** The two sources of a connection's rows: its platform, or the mock generator. */
export const DATA_SOURCES = ['live', 'mock'] as const satisfies readonly DataSource[];
export const DataSourceName = z.enum(DATA_SOURCES);

/** An id this API made (alerts, connections in bulk, audit filters): malformed ones are refused as a field error. */
export const Uuid = z.uuid();
/**
 * A connection named in a body, as sent: looked up within the caller's org, so an unknown or
 * malformed id answers 404 like any connection of another org (see loadOwnConnection).
 */
export const ConnectionRef = z.string().min(1).max(100);

/** `?limit=` of a listing: 1 to `max`, `fallback` when absent. */
export const limitParam = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
/** `?offset=` of a listing: rows skipped, 0 when absent. */
export const OffsetParam = z.coerce.number().int().min(0).default(0);
/** A page of a listing by `limit` and `offset`. */
export const pageQuery = (max: number, fallback: number) => z.object({ limit: limitParam(max, fallback), offset: OffsetParam });
