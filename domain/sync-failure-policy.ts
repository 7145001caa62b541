/** Thresholds of the failure policy: a run of failed syncs first warns, then disables the connection. */
export interface SyncFailureThresholds {
  warnAfter: number;
  disableAfter: number;
}

/**
 * What a run of `consecutiveFailures` failed syncs calls for. Each step fires once, on the failure
 * that reaches its threshold, so a warning is not raised again on every later failure.
 */
export function failureEscalation(consecutiveFailures: number, thresholds: SyncFailureThresholds): 'none' | 'warn' | 'disable' {
  if (consecutiveFailures >= thresholds.disableAfter) return 'disable';
  if (consecutiveFailures === thresholds.warnAfter) return 'warn';
  return 'none';
}
