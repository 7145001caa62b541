import type { DateWindow } from '../../domain/sync';
import { type AccountShape, adPerformanceRecord, adPerformanceRow, adPerformanceRowCount } from '../mock/generator';
import type { PerformanceRow, RowPosition } from './performance-view';

/**
 * The customer's performance view as the warehouse emulators serve it: the generator's daily ad rows of an account,
 * one per ad per day, under the contract's columns, in (DATE, ENTITY_ID) order. The view is named by the account id
 * of the emulated account (`LIFTOS_DAILY_PERFORMANCE` unless a test names another).
 */

/** Whether a statement's view name is the served one; unquoted identifiers compare without case. */
export function isServedView(account: AccountShape, name: string): boolean {
  return name.toUpperCase() === account.accountId.toUpperCase();
}

/** The view's rows within the window, after `after` when given, DATE as YYYY-MM-DD and amounts with two decimals. */
export function emulatedViewRows(account: AccountShape, window: DateWindow, after: RowPosition | null): PerformanceRow[] {
  const rows: PerformanceRow[] = [];
  const count = adPerformanceRowCount(account, window);
  for (let index = 0; index < count; index++) {
    const record = adPerformanceRecord(adPerformanceRow(account, window, index), {}, 'warehouse_rows');
    // Ad ids of an account share one length, so text order is generator order.
    if (after && (record.date < after.date || (record.date === after.date && record.entityId <= after.entityId))) continue;
    rows.push({
      DATE: record.date,
      ENTITY_ID: record.entityId,
      ENTITY_NAME: record.entityName,
      PARENT_ID: record.parentId,
      IMPRESSIONS: String(record.impressions),
      CLICKS: String(record.clicks),
      SPEND: record.spend!.toFixed(2),
      CONVERSIONS: String(record.conversions),
      REVENUE: record.revenue!.toFixed(2),
      CURRENCY: record.currency,
    });
  }
  return rows;
}
