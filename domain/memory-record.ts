import type { DataSource } from './connection';
import type { PlatformId, StreamKind } from './platforms';

/**
 * The causal record format the Memory Service receives: one observation of one metric of one
 * entity on one day, with the lineage that leads back to the sync and the platform's own row.
 * Documented in the README ("Hand-off to the Memory Service").
 */

export const MEMORY_METRICS = ['impressions', 'clicks', 'spend', 'conversions', 'revenue'] as const;
export type MemoryMetric = (typeof MEMORY_METRICS)[number];

export interface MemoryRecord {
  /** `<platform>:<entity type>:<platform entity id>`, stable across syncs. */
  entity: string;
  entity_type: string;
  entity_name: string | null;
  /** The parent entity in the same notation (ad set of an ad, customer of an order), when there is one. */
  parent_entity: string | null;
  metric: MemoryMetric;
  value: number;
  /** ISO currency code for money metrics (spend, revenue); null for counts. */
  unit: string | null;
  /** The start of the day the value describes, UTC (ISO 8601). */
  timestamp: string;
  source: DataSource;
  lineage: {
    connection_id: string;
    platform: PlatformId;
    sync_log_id: string;
    stream: StreamKind;
    raw_entity_id: string;
  };
}

/** One POST to the Memory Service. `batch_id` (also the `Idempotency-Key` header) is the same on every retry. */
export interface MemoryBatch {
  batch_id: string;
  sync_log_id: string;
  connection_id: string;
  org_id: string;
  batch_index: number;
  batch_count: number;
  records: MemoryRecord[];
}

const ENTITY_TYPES: Record<StreamKind, string> = {
  ad_performance: 'ad',
  email_performance: 'email_message',
  orders: 'order',
  payments: 'payment',
  contacts: 'contact',
  warehouse_rows: 'warehouse_row',
};
/** What the parent of an entity is, per stream. */
const PARENT_TYPES: Record<StreamKind, string> = {
  ad_performance: 'ad_set',
  email_performance: 'campaign',
  orders: 'customer',
  payments: 'customer',
  contacts: 'account',
  warehouse_rows: 'ad_set',
};
const MONEY: ReadonlySet<MemoryMetric> = new Set(['spend', 'revenue']);

/** Deterministic, so a receiver can deduplicate a batch delivered twice. */
export function memoryBatchId(syncLogId: string, batchIndex: number): string {
  return `${syncLogId}:${batchIndex}`;
}

/** A stored metrics row, as far as the mapping needs it (numbers already parsed). */
export interface MemorySourceRow {
  connectionId: string;
  platform: PlatformId;
  stream: StreamKind;
  entityId: string;
  entityName: string | null;
  parentId: string | null;
  date: string;
  currency: string | null;
  metrics: Partial<Record<MemoryMetric, number | null>>;
  source: DataSource;
}

/** One observation per metric the row has a value for; a row without metrics (a contact) gives none. */
export function memoryRecordsOf(row: MemorySourceRow, syncLogId: string): MemoryRecord[] {
  const entityType = ENTITY_TYPES[row.stream];
  const records: MemoryRecord[] = [];
  for (const metric of MEMORY_METRICS) {
    const value = row.metrics[metric];
    if (value === null || value === undefined) continue;
    records.push({
      entity: `${row.platform}:${entityType}:${row.entityId}`,
      entity_type: entityType,
      entity_name: row.entityName,
      parent_entity: row.parentId === null ? null : `${row.platform}:${PARENT_TYPES[row.stream]}:${row.parentId}`,
      metric,
      value,
      unit: MONEY.has(metric) ? row.currency : null,
      timestamp: `${row.date}T00:00:00.000Z`,
      source: row.source,
      lineage: { connection_id: row.connectionId, platform: row.platform, sync_log_id: syncLogId, stream: row.stream, raw_entity_id: row.entityId },
    });
  }
  return records;
}
