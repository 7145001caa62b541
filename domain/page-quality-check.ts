import type { MetricRecord } from './sync';

/**
 * The page quality check hybrid mode puts on live data: a page that fails it is not written, and the sync
 * falls back to the mock source. Pure, so the workflow's activities and the API apply the same rules.
 */

export type QualityRule = 'required_field' | 'clicks_exceed_impressions' | 'conversions_exceed_clicks' | 'negative_value' | 'not_a_number';

export interface QualityViolation {
  rule: QualityRule;
  /** The record's entity id and day, so a report points at the row. */
  entityId: string;
  date: string;
  field: string;
  message: string;
}

export type QualityVerdict = { passed: true } | { passed: false; violations: QualityViolation[] };

/** Checking stops after this many violations: enough to explain a rejection, bounded in size. */
const MAX_VIOLATIONS = 10;
const METRIC_FIELDS = ['impressions', 'clicks', 'spend', 'conversions', 'revenue'] as const;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function checkPageQuality(records: readonly MetricRecord[]): QualityVerdict {
  const violations: QualityViolation[] = [];
  for (const record of records) {
    for (const violation of recordViolations(record)) {
      violations.push(violation);
      if (violations.length >= MAX_VIOLATIONS) return { passed: false, violations };
    }
  }
  return violations.length === 0 ? { passed: true } : { passed: false, violations };
}

function recordViolations(r: MetricRecord): QualityViolation[] {
  const found: QualityViolation[] = [];
  const entityId = typeof r.entityId === 'string' ? r.entityId : '';
  const date = typeof r.date === 'string' ? r.date : '';
  const add = (rule: QualityRule, field: string, message: string) => found.push({ rule, entityId, date, field, message });

  if (entityId.trim() === '') add('required_field', 'entityId', 'entity id is missing');
  if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) add('required_field', 'date', 'date is missing or not YYYY-MM-DD');
  if (typeof r.stream !== 'string' || (r.stream as string) === '') add('required_field', 'stream', 'stream is missing');
  // Ad and email performance rows are about delivery: without impressions they say nothing.
  if ((r.stream === 'ad_performance' || r.stream === 'email_performance') && r.impressions === null)
    add('required_field', 'impressions', `impressions are required on ${r.stream} rows`);

  for (const field of METRIC_FIELDS) {
    const value = r[field];
    if (value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) add('not_a_number', field, `${field} is not a finite number`);
    else if (value < 0) add('negative_value', field, `${field} is negative (${value})`);
  }
  if (isCount(r.clicks) && isCount(r.impressions) && r.clicks > r.impressions) {
    add('clicks_exceed_impressions', 'clicks', `clicks (${r.clicks}) exceed impressions (${r.impressions})`);
  }
  if (isCount(r.conversions) && isCount(r.clicks) && r.conversions > r.clicks) {
    add('conversions_exceed_clicks', 'conversions', `conversions (${r.conversions}) exceed clicks (${r.clicks})`);
  }
  return found;
}

function isCount(value: number | null): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** One line for a log or an API answer: the first violations, never the record's raw payload. */
export function describeQualityFailure(violations: readonly QualityViolation[]): string {
  const shown = violations.slice(0, 3).map((v) => `${v.entityId || '?'} ${v.date || '?'}: ${v.message}`);
  return `quality gate rejected live data: ${shown.join('; ')}${violations.length > 3 ? ` (and ${violations.length - 3} more)` : ''}`;
}

/** The failure type of a live page rejected by the check: not retried (the same data would come back). */
export const PAGE_QUALITY_FAILURE = 'LiveDataQualityRejectedError';
