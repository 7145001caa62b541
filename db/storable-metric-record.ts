import type { MetricRecord } from '../domain/sync';
import { UNSTORABLE_TEXT_SUSPECT, storableText } from './storable-text';

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
  { ok: true; record: MetricRecord; rawJson: string; cleaned: { fields: string[]; reasons: string[] } | null } | { ok: false; field: string; reason: string };

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
const SUSPECT_TEXT = UNSTORABLE_TEXT_SUSPECT;
// JSON.stringify writes NUL as \u0000 and an unpaired surrogate as \udxxx (paired ones as themselves).
const SUSPECT_JSON = /\\u0000|\\ud[89a-f]/i;

const REASON_NUL = 'NUL (U+0000) removed';
const REASON_SURROGATE = 'unpaired UTF-16 surrogate replaced with U+FFFD';

/** Cleans strings, noting which fields it changed and how. Made only for a record that needs it. */
class TextCleaning {
  readonly fields: string[] = [];
  readonly reasons: string[] = [];

  clean(value: string, field: string): string {
    const out = storableText(value);
    if (out === value) return value;
    const withoutNul = value.replaceAll('\u0000', '');
    if (withoutNul !== value) this.note(REASON_NUL);
    if (withoutNul !== out) this.note(REASON_SURROGATE);
    if (!this.fields.includes(field)) this.fields.push(field);
    return out;
  }

  cleanJson(value: unknown, field: string): unknown {
    if (typeof value === 'string') return this.clean(value, field);
    if (Array.isArray(value)) return value.map((v) => this.cleanJson(v, field));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[this.clean(key, field)] = this.cleanJson(v, field);
    return out;
  }

  private note(reason: string): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }
}

// Each check answers why a value cannot be stored, or null when it can. No allocation on the way
// through: this runs for every record of every page.

function textProblem(value: unknown, nullable: boolean): string | null {
  if (typeof value === 'string' || (value === null && nullable)) return null;
  return nullable ? 'not text or null' : 'missing or not text';
}

function bigintProblem(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'not a finite number';
  if (!Number.isInteger(value)) return 'not a whole number (bigint column)';
  if (Math.abs(value) >= BIGINT_LIMIT) return 'out of range for bigint';
  return null;
}

function numericProblem(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'not a finite number';
  if (Math.abs(Math.round(value * 1e4) / 1e4) >= NUMERIC_18_4_LIMIT) return 'out of range for numeric(18, 4) (14 digits before the point)';
  return null;
}

/** Days already found valid: a page's records share a few dates. */
const validDates = new Set<string>();
const VALID_DATES_KEPT = 10_000;

/** A calendar day Postgres's date type accepts, written YYYY-MM-DD (years 0001 to 9999). */
function dateProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'missing or not text';
  if (validDates.has(value)) return null;
  const match = ISO_DATE.exec(value);
  if (!match) return 'not a YYYY-MM-DD date';
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const at = new Date(Date.UTC(year, month - 1, day));
  if (year < 1 || at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return 'not a calendar date';
  if (validDates.size >= VALID_DATES_KEPT) validDates.clear();
  validDates.add(value);
  return null;
}

/** The first column of the record that cannot hold its value, and why. */
function columnProblem(r: MetricRecord): { field: string; reason: string } | null {
  let reason: string | null;
  if ((reason = textProblem(r.stream, false))) return { field: 'stream', reason };
  if ((reason = textProblem(r.entityId, false))) return { field: 'entity_id', reason };
  if ((reason = dateProblem(r.date))) return { field: 'date', reason };
  if ((reason = textProblem(r.entityName, true))) return { field: 'entity_name', reason };
  if ((reason = textProblem(r.parentId, true))) return { field: 'parent_id', reason };
  if ((reason = textProblem(r.currency, true))) return { field: 'currency', reason };
  if ((reason = bigintProblem(r.impressions))) return { field: 'impressions', reason };
  if ((reason = bigintProblem(r.clicks))) return { field: 'clicks', reason };
  if ((reason = numericProblem(r.spend))) return { field: 'spend', reason };
  if ((reason = numericProblem(r.conversions))) return { field: 'conversions', reason };
  if ((reason = numericProblem(r.revenue))) return { field: 'revenue', reason };
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only long ids need measuring.
  if (r.entityId.length * 3 > MAX_ENTITY_ID_BYTES && Buffer.byteLength(r.entityId) > MAX_ENTITY_ID_BYTES) {
    return { field: 'entity_id', reason: `longer than ${MAX_ENTITY_ID_BYTES} bytes, too long for the table's key` };
  }
  return null;
}

function serialisedRaw(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  try {
    return JSON.stringify(raw);
  } catch {
    return undefined; // a BigInt or a cycle
  }
}

/**
 * Checks one record against marketing_metrics's columns: the record with its text cleaned and its
 * `raw` serialised (COPY needs the JSON anyway), or the first field that keeps it out.
 */
export function storableMetricRecord(r: MetricRecord): StorableCheck {
  const problem = columnProblem(r);
  if (problem) return { ok: false, ...problem };
  let rawJson = serialisedRaw(r.raw);
  if (rawJson === undefined) return { ok: false, field: 'raw', reason: 'not a JSON object' };

  const suspect =
    SUSPECT_JSON.test(rawJson) ||
    SUSPECT_TEXT.test(r.stream) ||
    SUSPECT_TEXT.test(r.entityId) ||
    (r.entityName !== null && SUSPECT_TEXT.test(r.entityName)) ||
    (r.parentId !== null && SUSPECT_TEXT.test(r.parentId)) ||
    (r.currency !== null && SUSPECT_TEXT.test(r.currency));
  if (!suspect) return { ok: true, record: r, rawJson, cleaned: null };

  const cleaning = new TextCleaning();
  const optional = (value: string | null, field: string) => (value === null ? null : cleaning.clean(value, field));
  const record: MetricRecord = {
    ...r,
    stream: cleaning.clean(r.stream, 'stream') as MetricRecord['stream'],
    entityId: cleaning.clean(r.entityId, 'entity_id'),
    entityName: optional(r.entityName, 'entity_name'),
    parentId: optional(r.parentId, 'parent_id'),
    currency: optional(r.currency, 'currency'),
  };
  if (SUSPECT_JSON.test(rawJson)) {
    record.raw = cleaning.cleanJson(r.raw, 'raw') as Record<string, unknown>;
    rawJson = JSON.stringify(record.raw);
  }
  // A paired surrogate (an emoji) makes a string suspect without needing a change.
  if (cleaning.fields.length === 0) return { ok: true, record: r, rawJson, cleaned: null };
  return { ok: true, record, rawJson, cleaned: { fields: cleaning.fields, reasons: cleaning.reasons } };
}
