import { addDays, type DateWindow } from '../../domain/sync';
import { ConnectorError } from '../connector-error';

/**
 * Where a TikTok report read stands. A daily report spans at most 30 days, so a sync window is read as consecutive
 * report windows, each paged by page number: the cursor is the first day of the report window and the next page.
 */
export interface ReportPosition {
  from: string;
  page: number;
}

/** The longest report TikTok serves with `stat_time_day` among the dimensions. */
export const MAX_REPORT_DAYS = 30;

export function reportWindow(window: DateWindow, from: string): DateWindow {
  const last = addDays(from, MAX_REPORT_DAYS - 1);
  return { startDate: from, endDate: last < window.endDate ? last : window.endDate };
}

export function formatReportCursor(position: ReportPosition): string {
  return `${position.from}:${position.page}`;
}

export function parseReportCursor(cursor: string, window: DateWindow): ReportPosition {
  const match = /^(\d{4}-\d{2}-\d{2}):([1-9]\d*)$/.exec(cursor);
  if (!match || match[1]! < window.startDate || match[1]! > window.endDate) {
    throw new ConnectorError('malformed', `TikTok cursor ${JSON.stringify(cursor)} does not belong to ${window.startDate}..${window.endDate}`);
  }
  return { from: match[1]!, page: Number(match[2]) };
}

/** The position after a page: the next page of the same report, else the first page of the next report window. */
export function nextReportPosition(window: DateWindow, current: ReportPosition, totalPages: number): ReportPosition | null {
  if (current.page < totalPages) return { from: current.from, page: current.page + 1 };
  const { endDate } = reportWindow(window, current.from);
  return endDate < window.endDate ? { from: addDays(endDate, 1), page: 1 } : null;
}
