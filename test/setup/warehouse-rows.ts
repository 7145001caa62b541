import { type AccountShape, type AdPerformanceValues, adPerformanceRecord, adPerformanceRow, adPerformanceRowCount } from '../../connectors/mock/generator';
import type { DateWindow, MetricRecord } from '../../domain/sync';

/**
 * Exactly the generator's daily ad rows of the window as a warehouse's contract view serves them (numbers as
 * text, DATE as `renderDate` writes it), and the records a warehouse connector must map them to.
 */
export function expectedWarehouseRecords(shape: AccountShape, within: DateWindow, renderDate: (isoDate: string) => string): MetricRecord[] {
  const servedRow = (v: AdPerformanceValues): Record<string, unknown> => ({
    DATE: renderDate(v.date),
    ENTITY_ID: v.entity.adId,
    ENTITY_NAME: v.entity.adName,
    PARENT_ID: v.entity.adSetId,
    IMPRESSIONS: String(v.impressions),
    CLICKS: String(v.clicks),
    SPEND: v.spend.toFixed(2),
    CONVERSIONS: String(v.conversions),
    REVENUE: v.conversionValue.toFixed(2),
    CURRENCY: 'USD',
  });
  return Array.from({ length: adPerformanceRowCount(shape, within) }, (_, i) => {
    const values = adPerformanceRow(shape, within, i);
    return adPerformanceRecord(values, servedRow(values), 'warehouse_rows');
  });
}
