import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { findSyncLog } from '../db/repositories/sync-logs';
import { countSyncWrittenRows, listSyncWrittenRows } from '../db/repositories/sync-written-rows';
import type { Database, MetricRow } from '../db/schema';
import { FailureType, MemoryFailureType } from '../domain/errors';
import { type MemoryBatch, type MemoryMetric, memoryBatchId, memoryRecordsOf } from '../domain/memory-record';

export interface MemoryHandoffActivityDeps {
  db: Kysely<Database>;
  settings: {
    /** The Memory Service's ingest endpoint; unset: the hand-off is skipped. */
    url: string | undefined;
    /** Metric rows per batch (each row gives up to five records). */
    batchSize: number;
    /** Per-request timeout. */
    timeoutMs?: number;
  };
}

export interface HandOffToMemoryInput {
  syncLogId: string;
}

export interface MemoryHandoffResult {
  status: 'skipped' | 'delivered';
  batches: number;
  records: number;
}

/** Heartbeat details: the next batch to send, so a retried attempt resumes there, and the records sent so far. */
export interface MemoryHandoffHeartbeat {
  nextBatch: number;
  records: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Hands the records a sync wrote to the Memory Service, in batches with deterministic ids
 * (`<sync log id>:<batch index>`, sent as `Idempotency-Key` and in the body): delivery is at least
 * once, and a receiver deduplicates by id. A retry resumes from the batch after the last one acknowledged.
 */
export function createMemoryHandoffActivities(deps: MemoryHandoffActivityDeps) {
  return {
    async handOffToMemory(input: HandOffToMemoryInput): Promise<MemoryHandoffResult> {
      const url = deps.settings.url;
      if (!url) return { status: 'skipped', batches: 0, records: 0 };
      const ctx = Context.current();
      const log = await findSyncLog(deps.db, input.syncLogId);
      if (!log)
        throw ApplicationFailure.create({ type: FailureType.ConnectionNotFound, message: `Sync log ${input.syncLogId} no longer exists`, nonRetryable: true });

      const size = deps.settings.batchSize;
      const batchCount = Math.ceil((await countSyncWrittenRows(deps.db, log)) / size);
      const resumed = ctx.info.heartbeatDetails as MemoryHandoffHeartbeat | undefined;
      let records = resumed?.records ?? 0;
      for (let index = resumed?.nextBatch ?? 0; index < batchCount; index++) {
        const rows = await listSyncWrittenRows(deps.db, log, { offset: index * size, limit: size });
        const batch: MemoryBatch = {
          batch_id: memoryBatchId(log.id, index),
          sync_log_id: log.id,
          connection_id: log.connection_id,
          org_id: log.org_id,
          batch_index: index,
          batch_count: batchCount,
          records: rows.flatMap((row) => memoryRecordsOf(sourceRow(row), log.id)),
        };
        await postBatch(url, batch, deps.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS);
        records += batch.records.length;
        ctx.heartbeat({ nextBatch: index + 1, records } satisfies MemoryHandoffHeartbeat);
      }
      return { status: 'delivered', batches: batchCount, records };
    },
  };
}

export type MemoryHandoffActivities = ReturnType<typeof createMemoryHandoffActivities>;

async function postBatch(url: string, batch: MemoryBatch, timeoutMs: number): Promise<void> {
  let status: number;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': batch.batch_id, 'x-memory-batch-id': batch.batch_id },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    await response.arrayBuffer();
  } catch (err) {
    const reason = (err as { name?: string }).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'network error';
    throw ApplicationFailure.create({ type: MemoryFailureType.Unavailable, message: `Memory Service: batch ${batch.batch_id} not delivered: ${reason}` });
  }
  // 409: the receiver already holds this batch id — delivered by an earlier attempt.
  if ((status >= 200 && status < 300) || status === 409) return;
  const retryable = status === 408 || status === 429 || status >= 500;
  throw ApplicationFailure.create({
    type: retryable ? MemoryFailureType.Unavailable : MemoryFailureType.Rejected,
    message: `Memory Service answered HTTP ${status} to batch ${batch.batch_id}`,
    nonRetryable: !retryable,
  });
}

/** Each record carries the source its row records (marketing_metrics.source). */
function sourceRow(row: MetricRow) {
  const num = (v: string | null) => (v === null ? null : Number(v));
  const metrics: Record<MemoryMetric, number | null> = {
    impressions: num(row.impressions),
    clicks: num(row.clicks),
    spend: num(row.spend),
    conversions: num(row.conversions),
    revenue: num(row.revenue),
  };
  return {
    connectionId: row.connection_id,
    platform: row.platform,
    stream: row.stream,
    entityId: row.entity_id,
    entityName: row.entity_name,
    parentId: row.parent_id,
    date: row.date,
    currency: row.currency,
    metrics,
    source: row.source,
  };
}
