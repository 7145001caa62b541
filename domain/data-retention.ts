/** Retention days an org or a connection may set: at least a day, at most ten years. Null keeps data forever. */
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;

/** How many rows one retention batch deletes: small enough for a short transaction, large enough to finish. */
export const RETENTION_BATCH_SIZE = 5000;

/** What applies to a connection: its own override when it has one (null there keeps forever), else the org's default. */
export function effectiveRetentionDays(orgDefaultDays: number | null, override: { retentionDays: number | null } | undefined): number | null {
  return override ? override.retentionDays : orgDefaultDays;
}

/**
 * The first day kept (YYYY-MM-DD, UTC): rows dated before it are expired. Keeping `days` days means
 * today and the `days - 1` days before it, so the cutoff day's rows stay.
 */
export function retentionCutoffDate(days: number, today: Date): string {
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS) throw new RangeError(`Retention of ${days} days: at least ${MIN_RETENTION_DAYS} whole day`);
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return new Date(midnight - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

/** The tables retention deletes from: the synced rows and the mock rows archived when live took over. */
export type RetainedTable = 'marketing_metrics' | 'marketing_metrics_mock_archive';
