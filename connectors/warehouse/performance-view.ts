import type { MetricRecord } from '../../domain/sync';
import { ConnectorError } from '../connector-error';

/**
 * The contract between LiftOS and a customer's warehouse (Snowflake, Databricks): the customer exposes daily
 * marketing performance as one view (or table), one row per entity per day, with these columns:
 *
 * | column | type | meaning |
 * | --- | --- | --- |
 * | DATE | DATE | the day the row describes |
 * | ENTITY_ID | text | the ad (campaign, …) the row describes; with DATE, the row's key |
 * | ENTITY_NAME | text, nullable | its name |
 * | PARENT_ID | text, nullable | its parent (the ad set of an ad, …) |
 * | IMPRESSIONS, CLICKS, CONVERSIONS | integer, nullable | counts of the day |
 * | SPEND, REVENUE | decimal, nullable | amounts of the day, in CURRENCY |
 * | CURRENCY | text, nullable | ISO 4217 code |
 *
 * The connection's `account_id` names the view: `VIEW`, `SCHEMA.VIEW` or `DATABASE.SCHEMA.VIEW` (Databricks:
 * `catalog.schema.view`), unquoted identifiers only, since a name is the one part of a statement that cannot be a
 * bind parameter; a connection created without an account id reads `LIFTOS_DAILY_PERFORMANCE`. One connection per
 * view: the account id is what makes a connection unique in its org. The connectors read the rows of the sync window
 * with bound dates, in (DATE, ENTITY_ID) order, which lets a read resume after the last row it wrote.
 */

export const PERFORMANCE_COLUMNS = [
  'DATE',
  'ENTITY_ID',
  'ENTITY_NAME',
  'PARENT_ID',
  'IMPRESSIONS',
  'CLICKS',
  'SPEND',
  'CONVERSIONS',
  'REVENUE',
  'CURRENCY',
] as const;
export type PerformanceColumn = (typeof PERFORMANCE_COLUMNS)[number];

/** The view a connection reads when it names none (the API stores `default` as its account id). */
export const DEFAULT_PERFORMANCE_VIEW = 'LIFTOS_DAILY_PERFORMANCE';
const UNNAMED_ACCOUNT_ID = 'default';

/** One to three dot-separated unquoted identifiers, each at most 255 characters. */
const VIEW_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}(\.[A-Za-z_][A-Za-z0-9_]{0,254}){0,2}$/;

/** The view a connection's account id names; a name that is not plain identifiers is refused as `malformed`. */
export function performanceViewName(accountId: string, platform: string): string {
  if (accountId === UNNAMED_ACCOUNT_ID) return DEFAULT_PERFORMANCE_VIEW;
  if (!VIEW_NAME.test(accountId)) {
    throw new ConnectorError(
      'malformed',
      `${platform} account_id must name a view as VIEW, SCHEMA.VIEW or DATABASE.SCHEMA.VIEW with unquoted identifiers (letters, digits, _)`,
    );
  }
  return accountId;
}

/** The select list, in contract order. */
export const PERFORMANCE_SELECT_LIST = PERFORMANCE_COLUMNS.join(', ');

/** The (DATE, ENTITY_ID) of the last row a page held: a read resumes strictly after it. */
export interface RowPosition {
  date: string;
  entityId: string;
}

/** A row of the view, its DATE already as YYYY-MM-DD, every other value as the warehouse rendered it (text or null). */
export type PerformanceRow = Record<PerformanceColumn, string | null>;

/** Maps a row onto the normalised metrics shape; `raw` keeps the row as the warehouse served it. */
export function performanceRecord(row: PerformanceRow, raw: Record<string, unknown>, platform: string): MetricRecord {
  if (!row.DATE || !/^\d{4}-\d{2}-\d{2}$/.test(row.DATE)) throw new ConnectorError('malformed', `${platform} served a row without a readable DATE`);
  if (!row.ENTITY_ID) throw new ConnectorError('malformed', `${platform} served a row without an ENTITY_ID`);
  return {
    stream: 'warehouse_rows',
    entityId: row.ENTITY_ID,
    date: row.DATE,
    entityName: row.ENTITY_NAME,
    parentId: row.PARENT_ID,
    impressions: metric(row.IMPRESSIONS, 'IMPRESSIONS', platform),
    clicks: metric(row.CLICKS, 'CLICKS', platform),
    spend: metric(row.SPEND, 'SPEND', platform),
    conversions: metric(row.CONVERSIONS, 'CONVERSIONS', platform),
    revenue: metric(row.REVENUE, 'REVENUE', platform),
    currency: row.CURRENCY,
    raw,
  };
}

/**
 * Checks that a result's columns are the contract's, in order (the statement names them, so any other answer means
 * the view or the platform misbehaves).
 */
export function checkPerformanceColumns(names: readonly string[], platform: string): void {
  const upper = names.map((name) => name.toUpperCase());
  if (upper.length !== PERFORMANCE_COLUMNS.length || upper.some((name, i) => name !== PERFORMANCE_COLUMNS[i])) {
    throw new ConnectorError('malformed', `${platform} answered columns ${upper.join(', ')} instead of ${PERFORMANCE_SELECT_LIST}`);
  }
}

function metric(value: string | null, column: PerformanceColumn, platform: string): number | null {
  if (value === null) return null;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ConnectorError('malformed', `${platform} served a ${column} that is not a number`);
  return n;
}
