import type { DataSource } from '../domain/connection';
import type { PlatformId, StreamKind } from '../domain/platforms';
import { type RecordIssueTally, addIssue, emptyIssueTally } from '../domain/record-quarantine';
import type { MetricRecord } from '../domain/sync';
import { storableMetricRecord } from './storable-metric-record';
import { storableText } from './storable-text';

/** The marketing_metrics columns a batch carries, in COPY order. */
export const METRICS_COPY_COLUMNS = [
  'connection_id',
  'stream',
  'entity_id',
  'date',
  'org_id',
  'platform',
  'entity_name',
  'parent_id',
  'impressions',
  'clicks',
  'spend',
  'conversions',
  'revenue',
  'currency',
  'raw',
  'source',
] as const;

/** One page of records in PostgreSQL's COPY text format, ready to stream. */
export interface MetricsBatch {
  /** Rows in `copyText`: the page's records less the quarantined ones. */
  count: number;
  copyText: string;
  /** The page's connection, stream and source: a live page retires the stream's mock rows (db/repositories/marketing-metrics.ts). */
  connectionId: string;
  stream: StreamKind;
  source: DataSource;
  /** Records stored with their text cleaned (NUL stripped, unpaired surrogates replaced). */
  cleaned: RecordIssueTally;
  /** Records left out: a value no column of theirs can hold. */
  quarantined: RecordIssueTally;
}

export interface MetricsTarget {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  stream: StreamKind;
  /** Which source served the page; every row records it. */
  source: DataSource;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** COPY text escaping: backslash, tab, newline and carriage return; \N is null. */
function field(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return NEEDS_ESCAPE.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
}

/**
 * Serialises records for COPY. Pure CPU work: the sync does it while Postgres writes the previous page.
 * Each record is checked first (db/storable-metric-record.ts): text is cleaned, and a record no column
 * can hold is quarantined instead of failing the page.
 */
export function toMetricsBatch(target: MetricsTarget, records: readonly MetricRecord[]): MetricsBatch {
  const prefix = `${field(target.connectionId)}\t`;
  const targetColumns = `\t${field(target.orgId)}\t${field(target.platform)}\t`;
  const sourceColumn = `\t${field(target.source)}\n`;
  let copyText = '';
  const cleaned = emptyIssueTally();
  const quarantined = emptyIssueTally();
  for (const record of records) {
    const checked = storableMetricRecord(record);
    if (!checked.ok) {
      addIssue(quarantined, { ...issueKey(record), field: checked.field, reason: checked.reason });
      continue;
    }
    const r = checked.record;
    if (checked.cleaned) addIssue(cleaned, { ...issueKey(r), field: checked.cleaned.fields.join(', '), reason: checked.cleaned.reasons.join('; ') });
    copyText +=
      prefix +
      field(r.stream) +
      '\t' +
      field(r.entityId) +
      '\t' +
      field(r.date) +
      targetColumns +
      field(r.entityName) +
      '\t' +
      field(r.parentId) +
      '\t' +
      field(r.impressions) +
      '\t' +
      field(r.clicks) +
      '\t' +
      field(r.spend) +
      '\t' +
      field(r.conversions) +
      '\t' +
      field(r.revenue) +
      '\t' +
      field(r.currency) +
      '\t' +
      field(checked.rawJson) +
      sourceColumn;
  }
  return {
    count: records.length - quarantined.count,
    copyText,
    cleaned,
    quarantined,
    connectionId: target.connectionId,
    stream: target.stream,
    source: target.source,
  };
}

/** Which record an issue is about, as far as its key fields are text (made storable: they are sampled into the log). */
function issueKey(r: MetricRecord): { stream: string; entityId: string | null; date: string | null } {
  const asText = (v: unknown) => (typeof v === 'string' ? storableText(v) : null);
  return { stream: asText(r.stream) ?? '', entityId: asText(r.entityId), date: asText(r.date) };
}
