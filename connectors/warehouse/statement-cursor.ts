import { z } from 'zod';
import type { DateWindow } from '../../domain/sync';
import { ConnectorError } from '../connector-error';
import type { RowPosition } from './performance-view';

/**
 * Where a warehouse read stands: the statement whose result is being read (Snowflake's statement handle, Databricks'
 * statement id), the next part of that result to read (partition or chunk; part 0 of a statement still running is
 * read by polling it), and the last row written. A warehouse keeps results for a while only (Snowflake a day,
 * Databricks hours), so when the statement is gone the read runs the query again for the rows after `after`.
 */
export interface StatementCursor {
  statement: string;
  part: number;
  /** The result's number of parts, known once its first part was read. */
  parts: number | null;
  after: RowPosition | null;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const cursorSchema = z
  .object({
    statement: z.string().regex(/^[A-Za-z0-9-]{1,128}$/),
    part: z.number().int().nonnegative(),
    parts: z.number().int().positive().nullable(),
    after: z
      .object({ date: isoDate, entityId: z.string().min(1).max(1_000) })
      .strict()
      .nullable(),
  })
  .strict();

export function formatStatementCursor(cursor: StatementCursor): string {
  return JSON.stringify(cursor);
}

/** A cursor of this read, or `malformed`: one from another stream, platform or window would skip or repeat rows. */
export function parseStatementCursor(cursor: string, window: DateWindow, platform: string): StatementCursor {
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    json = undefined;
  }
  const parsed = cursorSchema.safeParse(json).data;
  const partOk = parsed && (parsed.part === 0 || (parsed.parts !== null && parsed.part < parsed.parts));
  if (!parsed || !partOk || (parsed.after && (parsed.after.date < window.startDate || parsed.after.date > window.endDate))) {
    throw new ConnectorError('malformed', `Invalid ${platform} warehouse_rows cursor for ${window.startDate}..${window.endDate}`);
  }
  return parsed;
}
