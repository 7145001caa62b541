import { Counter, Histogram, type Registry } from 'prom-client';

/** The worker's sync counters, recorded by the sync activities. */
export interface SyncMetrics {
  syncsStarted: Counter<'platform' | 'source'>;
  syncsCompleted: Counter<'platform' | 'source'>;
  syncsFailed: Counter<'platform' | 'source' | 'reason'>;
  syncsCancelled: Counter<'platform' | 'source'>;
  recordsSynced: Counter<'platform' | 'stream'>;
  pagesSynced: Counter<'platform' | 'stream'>;
  syncDuration: Histogram<'platform' | 'status'>;
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  return {
    syncsStarted: new Counter({ name: 'liftos_syncs_started_total', help: 'Connection syncs started', labelNames: ['platform', 'source'], registers }),
    syncsCompleted: new Counter({ name: 'liftos_syncs_completed_total', help: 'Connection syncs completed', labelNames: ['platform', 'source'], registers }),
    syncsFailed: new Counter({ name: 'liftos_syncs_failed_total', help: 'Connection syncs failed', labelNames: ['platform', 'source', 'reason'], registers }),
    syncsCancelled: new Counter({ name: 'liftos_syncs_cancelled_total', help: 'Connection syncs cancelled', labelNames: ['platform', 'source'], registers }),
    recordsSynced: new Counter({
      name: 'liftos_sync_records_total',
      help: 'Records written to Postgres by syncs',
      labelNames: ['platform', 'stream'],
      registers,
    }),
    pagesSynced: new Counter({ name: 'liftos_sync_pages_total', help: 'Pages fetched and written by syncs', labelNames: ['platform', 'stream'], registers }),
    syncDuration: new Histogram({
      name: 'liftos_sync_duration_seconds',
      help: 'Wall time of a connection sync, from start to its final status',
      labelNames: ['platform', 'status'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
  };
}
