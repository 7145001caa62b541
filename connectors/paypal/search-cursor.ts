import { addDays, type DateWindow, daysBetween } from '../../domain/sync';
import { ConnectorError } from '../connector-error';

/**
 * Where a PayPal Transaction Search read stands. A query spans at most 31 days, so a sync window is read as
 * consecutive slices of days, each paged by page number: the cursor is the slice's first and last day and the next
 * page. A slice can be narrower than 31 days when PayPal refused it as too large, so its end is in the cursor too.
 */
export interface SearchPosition {
  slice: DateWindow;
  page: number;
}

/** The longest range Transaction Search serves, in days (both ends inclusive, from 00:00:00 to 23:59:59). */
export const MAX_SLICE_DAYS = 31;

/** The slice of at most 31 days that starts on `from`, within the window. */
export function sliceFrom(window: DateWindow, from: string): DateWindow {
  const last = addDays(from, MAX_SLICE_DAYS - 1);
  return { startDate: from, endDate: last < window.endDate ? last : window.endDate };
}

/** The first half of a slice PayPal found too large; null when it is a single day, which cannot be split by date. */
export function halveSlice(slice: DateWindow): DateWindow | null {
  const days = daysBetween(slice.startDate, slice.endDate) + 1;
  return days < 2 ? null : { startDate: slice.startDate, endDate: addDays(slice.startDate, Math.floor(days / 2) - 1) };
}

export function formatSearchCursor(position: SearchPosition): string {
  return `${position.slice.startDate}/${position.slice.endDate}/${position.page}`;
}

export function parseSearchCursor(cursor: string, window: DateWindow): SearchPosition {
  const match = /^(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})\/([1-9]\d{0,8})$/.exec(cursor);
  const [startDate, endDate] = [match?.[1] ?? '', match?.[2] ?? ''];
  const valid = match && startDate >= window.startDate && endDate <= window.endDate && startDate <= endDate && daysBetween(startDate, endDate) < MAX_SLICE_DAYS;
  if (!valid) throw new ConnectorError('malformed', `PayPal cursor ${JSON.stringify(cursor)} does not belong to ${window.startDate}..${window.endDate}`);
  return { slice: { startDate, endDate }, page: Number(match[3]) };
}

/** The position after a page: the next page of the same slice, else the first page of the next slice. */
export function nextSearchPosition(window: DateWindow, current: SearchPosition, totalPages: number): SearchPosition | null {
  if (current.page < totalPages) return { slice: current.slice, page: current.page + 1 };
  return current.slice.endDate < window.endDate ? { slice: sliceFrom(window, addDays(current.slice.endDate, 1)), page: 1 } : null;
}
