/**
 * Records a sync could not store as the platform sent them. Text Postgres cannot hold (NUL, unpaired
 * UTF-16 surrogates) is cleaned and the record stored; a record that still cannot be stored (a value
 * out of its column's range, an impossible date, a key too long to index) is quarantined: left out,
 * counted and sampled in the sync log, while the rest of its page is written and the sync goes on.
 */

/** What a sync did with a record it could not store as sent. */
export type RecordIssueAction = 'cleaned' | 'quarantined';

/**
 * One record's issue, as the sync log samples it: which record, which field, why. Never a field's
 * value or the raw payload (they may hold personal data); the entity id and date identify the record.
 */
export interface RecordIssue {
  stream: string;
  entityId: string | null;
  date: string | null;
  field: string;
  reason: string;
}

/** A count of records with an issue, with the first few of them as samples. */
export interface RecordIssueTally {
  count: number;
  samples: RecordIssue[];
}

/** Samples a page (and a sync log, per action) keeps; the count is always exact. */
export const RECORD_ISSUE_SAMPLES = 10;

/** Longest entity id or date a sample shows, in characters. */
const SAMPLE_ID_LENGTH = 200;

export function emptyIssueTally(): RecordIssueTally {
  return { count: 0, samples: [] };
}

export function addIssue(tally: RecordIssueTally, issue: RecordIssue): void {
  tally.count += 1;
  if (tally.samples.length < RECORD_ISSUE_SAMPLES) {
    tally.samples.push({ ...issue, entityId: clip(issue.entityId), date: clip(issue.date) });
  }
}

export function mergeIssueTallies(a: RecordIssueTally, b: RecordIssueTally): RecordIssueTally {
  return { count: a.count + b.count, samples: [...a.samples, ...b.samples].slice(0, RECORD_ISSUE_SAMPLES) };
}

function clip(value: string | null): string | null {
  return value !== null && value.length > SAMPLE_ID_LENGTH ? `${value.slice(0, SAMPLE_ID_LENGTH)}…` : value;
}
