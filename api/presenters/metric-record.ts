import type { MetricRecord } from '../../domain/sync';
import type { MetricRecordView } from '../response-schemas';

/** A record as the API shows it; the platform's raw payload stays out of the answer. */
export function presentMetricRecord(r: MetricRecord): MetricRecordView {
  return {
    stream: r.stream,
    entity_id: r.entityId,
    date: r.date,
    entity_name: r.entityName,
    parent_id: r.parentId,
    impressions: r.impressions,
    clicks: r.clicks,
    spend: r.spend,
    conversions: r.conversions,
    revenue: r.revenue,
    currency: r.currency,
  };
}
