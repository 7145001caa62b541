import type { MetricRecord } from '../domain/sync';

/**
 * What marketing_metrics can hold, checked per record before COPY, so that one record Postgres would
 * refuse never fails its page (and, retried, the sync and in the end the connection).
 *
 * Text: Postgres text and jsonb cannot hold U+0000 at all (COPY rejects the byte, jsonb the `\u0000`
 * escape), so NUL is stripped; an unpaired UTF-16 surrogate cannot be encoded as UTF-8 (jsonb rejects
 * its escape, text would get U+FFFD from the encoder anyway), so it becomes U+FFFD. Stripping rather than
 * escaping: an escape would be indistinguishable from text that really reads `\u0000`, and nobody's
 * name or campaign means a NUL. Every string is cleaned alike, in columns and anywhere in `raw`, keys too.
 *
 * Anything else out of a column's domain is not guessed at: the record is quarantined.
 */

export type StorableCheck =
  | { ok: true; record: MetricRecord; rawJson: string; cleaned: { fields: string[]; reasons: string[] } | null }
  | { ok: false; field: string; reason: string };

/** bigint: integers of magnitude below 2^63. */
const BIGINT_LIMIT = 2 ** 63;
/** numeric(18, 4): below 10^14 once rounded to four places. */
const NUMERIC_18_4_LIMIT = 1e14;
/**
 * The primary key's btree entry must fit in a third of a page (2704 bytes) with the connection id,
 * stream and date; entity ids are kept well below that.
 */
export const MAX_ENTITY_ID_BYTES = 2000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Any NUL or surrogate: a cheap test that lets almost every string through untouched.
const SUSPECT_TEXT = /[\u0000\ud800-\udfff]/;
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// JSON.stringify writes NUL as \u0000 and an unpaired surrogate as \udxxx (paired ones as themselves).
const SUSPECT_JSON = /\\u0000|\\ud[89a-f]/i;

const REASON_NUL = 'NUL (U+0000) removed';
const REASON_SURROGATE = 'unpaired UTF-16 surrogate replaced with U+FFFD';

class TextCleaning {
  readonly fields: string[] = [];
  readonly reasons = new Set<string>();

  clean(value: string, field: string): string {
    if (!SUSPECT_TEXT.test(value)) return value;
    let out = value;
    if (out.includes('\u0000')) {
      out = out.replace(NUL, '');
      this.reasons.add(REASON_NUL);
    }
    const wellFormed = out.replace(LONE_SURROGATE, '\ufffd');
    if (wellFormed !== out) this.reasons.add(REASON_SURROGATE);
    if (wellFormed !== value && !this.fields.includes(field)) this.fields.push(field);
    return wellFormed;
  }

  cleanJson(value: unknown, field: string): unknown {
    if (typeof value === 'string') return this.clean(value, field);
    if (Array.isArray(value)) return value.map((v) => this.cleanJson(v, field));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[this.clean(key, field)] = this.cleanJson(v, field);
    return out;
  }
}

type Verdict<T> = { value: T } | { reason: string };

function text(value: unknown, nullable: boolean): Verdict<string | null> {
  if (value === null && nullable) return { value: null };
  if (typeof value !== 'string') return { reason: nullable ? 'not text or null' : 'missing or not text' };
  return { value };
}

function bigint(value: unknown): Verdict<number | null> {
  if (value === null) return { value: null };
  if (typeof value !== 'number' || !Number.isFinite(value)) return { reason: 'not a finite number' };
  if (!Number.isInteger(value)) return { reason: 'not a whole number (bigint column)' };
  if (Math.abs(value) >= BIGINT_LIMIT) return { reason: 'out of range for bigint' };
  return { value };
}

function numeric(value: unknown): Verdict<number | null> {
  if (value === null) return { value: null };
  if (typeof value !== 'number' || !Number.isFinite(value)) return { reason: 'not a finite number' };
  if (Math.abs(Math.round(value * 1e4) / 1e4) >= NUMERIC_18_4_LIMIT) return { reason: 'out of range for numeric(18, 4) (14 digits before the point)' };
  return { value };
}

/** A calendar day Postgres's date type accepts, written YYYY-MM-DD (years 0001 to 9999). */
function isoDate(value: unknown): Verdict<string> {
  if (typeof value !== 'string') return { reason: 'missing or not text' };
  const match = ISO_DATE.exec(value);
  if (!match) return { reason: 'not a YYYY-MM-DD date' };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(Date.UTC(year, month - 1, day));
  if (year < 1 || at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return { reason: 'not a calendar date' };
  return { value };
}

/**
 * Checks one record against marketing_metrics's columns: the record with its text cleaned and its
 * `raw` serialised (COPY needs the JSON anyway), or the first field that keeps it out.
 */
export function storableMetricRecord(r: MetricRecord): StorableCheck {
  const cleaning = new TextCleaning();
  const stream = text(r.stream, false);
  if ('reason' in stream) return { ok: false, field: 'stream', reason: stream.reason };
  const entityId = text(r.entityId, false);
  if ('reason' in entityId) return { ok: false, field: 'entity_id', reason: entityId.reason };
  const date = isoDate(r.date);
  if ('reason' in date) return { ok: false, field: 'date', reason: date.reason };
  const entityName = text(r.entityName, true);
  if ('reason' in entityName) return { ok: false, field: 'entity_name', reason: entityName.reason };
  const parentId = text(r.parentId, true);
  if ('reason' in parentId) return { ok: false, field: 'parent_id', reason: parentId.reason };
  const currency = text(r.currency, true);
  if ('reason' in currency) return { ok: false, field: 'currency', reason: currency.reason };
  const impressions = bigint(r.impressions);
  if ('reason' in impressions) return { ok: false, field: 'impressions', reason: impressions.reason };
  const clicks = bigint(r.clicks);
  if ('reason' in clicks) return { ok: false, field: 'clicks', reason: clicks.reason };
  const spend = numeric(r.spend);
  if ('reason' in spend) return { ok: false, field: 'spend', reason: spend.reason };
  const conversions = numeric(r.conversions);
  if ('reason' in conversions) return { ok: false, field: 'conversions', reason: conversions.reason };
  const revenue = numeric(r.revenue);
  if ('reason' in revenue) return { ok: false, field: 'revenue', reason: revenue.reason };

  let rawJson: string | undefined;
  try {
    rawJson = typeof r.raw === 'object' && r.raw !== null && !Array.isArray(r.raw) ? JSON.stringify(r.raw) : undefined;
  } catch {
    rawJson = undefined; // a BigInt or a cycle
  }
  if (rawJson === undefined) return { ok: false, field: 'raw', reason: 'not a JSON object' };
  let raw = r.raw;
  if (SUSPECT_JSON.test(rawJson)) {
    raw = cleaning.cleanJson(r.raw, 'raw') as Record<string, unknown>;
    rawJson = JSON.stringify(raw);
  }

  const cleanedEntityId = cleaning.clean(entityId.value!, 'entity_id');
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only long ids need measuring.
  if (cleanedEntityId.length * 3 > MAX_ENTITY_ID_BYTES && Buffer.byteLength(cleanedEntityId) > MAX_ENTITY_ID_BYTES) {
    return { ok: false, field: 'entity_id', reason: `longer than ${MAX_ENTITY_ID_BYTES} bytes, too long for the table's key` };
  }
  const optional = (value: string | null, field: string) => (value === null ? null : cleaning.clean(value, field));
  const cleanedStream = cleaning.clean(stream.value!, 'stream') as MetricRecord['stream'];
  const cleanedName = optional(entityName.value, 'entity_name');
  const cleanedParent = optional(parentId.value, 'parent_id');
  const cleanedCurrency = optional(currency.value, 'currency');
  if (cleaning.fields.length === 0) return { ok: true, record: r, rawJson, cleaned: null };
  const record: MetricRecord = {
    ...r,
    stream: cleanedStream,
    entityId: cleanedEntityId,
    entityName: cleanedName,
    parentId: cleanedParent,
    currency: cleanedCurrency,
    raw,
  };
  return { ok: true, record, rawJson, cleaned: { fields: cleaning.fields, reasons: [...cleaning.reasons] } };
}
