import type { ConnectionStatus } from './connection';
import type { MetricField } from './validation-field-rules';
import { daysBetween } from './sync';

/** The metrics analysis a validation report carries beside its rule outcomes. */
export interface MetricsAnalysis {
  freshness: {
    latestDate: string | null;
    earliestDate: string | null;
    spanDays: number;
    daysWithData: number;
    lastSyncedAt: string | null;
    /** 100 when the latest day is yesterday or today, 15 points less per day older, 0 without data. */
    freshnessScore: number;
  };
  completeness: {
    /** Share of rows (0-100) that carry each required field, over the streams that require it. */
    fields: Partial<Record<MetricField, number>>;
    overall: number;
  };
  consistency: {
    rows: number;
    relationshipViolations: number;
    rangeViolations: number;
    anomalousDays: number;
    /** 100 × share of rows without relationship or range violations, less 2 points per anomalous day. */
    consistencyScore: number;
  };
  reliability: {
    connectionStatus: ConnectionStatus;
    lastSyncAt: string | null;
    lastSyncStatus: string | null;
    /** Completed share (0-100) of the last finished syncs; null when there were none. */
    syncSuccessRate: number | null;
    syncsConsidered: number;
  };
}

export function freshnessScore(latestDate: string | null, asOf: string): number {
  if (!latestDate) return 0;
  const late = daysBetween(latestDate, asOf) - 1;
  return Math.max(0, Math.min(100, 100 - 15 * Math.max(0, late)));
}

/** Per-field completeness from present/expected counts, and the row-weighted overall share. */
export function completeness(counts: Partial<Record<MetricField, { present: number; expected: number }>>): MetricsAnalysis['completeness'] {
  const fields: Partial<Record<MetricField, number>> = {};
  let present = 0;
  let expected = 0;
  for (const [field, c] of Object.entries(counts) as [MetricField, { present: number; expected: number }][]) {
    if (c.expected === 0) continue;
    fields[field] = round1((100 * c.present) / c.expected);
    present += c.present;
    expected += c.expected;
  }
  return { fields, overall: expected === 0 ? 100 : round1((100 * present) / expected) };
}

export function consistencyScore(input: { rows: number; violatingRows: number; anomalousDays: number }): number {
  const clean = input.rows === 0 ? 1 : 1 - Math.min(1, input.violatingRows / input.rows);
  return Math.max(0, round1(100 * clean - 2 * input.anomalousDays));
}

export function syncSuccessRate(statuses: { completed: number; failed: number; cancelled: number }): number | null {
  const finished = statuses.completed + statuses.failed + statuses.cancelled;
  return finished === 0 ? null : round1((100 * statuses.completed) / finished);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
