import { CronExpressionParser } from 'cron-parser';
import { SYNC_FREQUENCIES, type SyncFrequency } from './connection';

/**
 * Shorthands that Temporal Schedules document and that mean the same in cron-parser. Others
 * (@every, @midnight, @annually, cron-parser's @weekdays…) are refused: one of the two does not
 * know them, or reads them differently.
 */
const CRON_SHORTHANDS = ['@yearly', '@monthly', '@weekly', '@daily', '@hourly'] as const;

const CRON_FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Why a five-field cron field cannot be handed to Temporal, or null. Temporal's cron dialect has
 * numbers, names (months, week days), `*`, lists, ranges and steps, but none of cron-parser's
 * extensions (`?`, `L`, `#`, `H`), so any other letters are refused here before cron-parser sees them.
 */
function cronFieldProblem(field: (typeof CRON_FIELDS)[number], text: string): string | null {
  const names = field === 'month' ? MONTH_NAMES : field === 'day-of-week' ? DAY_NAMES : [];
  if (!/^[0-9A-Za-z*,/-]+$/.test(text)) return `the ${field} field '${text}' may only hold numbers${names.length > 0 ? ', names' : ''}, '*', ',', '-' and '/'`;
  for (const word of text.match(/[A-Za-z]+/g) ?? []) {
    if (!names.includes(word.toLowerCase())) {
      return names.length > 0
        ? `the ${field} field '${text}' has '${word}', which is not one of ${names.join(', ')}`
        : `the ${field} field '${text}' may only hold numbers, '*', ',', '-' and '/'`;
    }
  }
  return null;
}

/** cron-parser's message for a six-field expression (seconds first), or null when it parses. */
function cronParserProblem(fields: string[]): string | null {
  try {
    // Strict mode also refuses a day-of-month together with a day-of-week: standard cron reads that
    // as either, Temporal as both, so no meaning of it would be what its writer expected.
    CronExpressionParser.parse(['0', ...fields].join(' '), { strict: true, tz: 'UTC' });
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Why `value` is not a sync frequency, or null when it is: one of the named frequencies, one of the
 * shorthands above, or a five-field cron expression (minute hour day-of-month month day-of-week,
 * UTC) that Temporal Schedules accept and read as cron-parser does.
 */
export function syncFrequencyProblem(value: string): string | null {
  const text = value.trim();
  if ((SYNC_FREQUENCIES as readonly string[]).includes(text) || (CRON_SHORTHANDS as readonly string[]).includes(text)) return null;
  const expected = `sync_frequency is one of ${SYNC_FREQUENCIES.join(', ')}, ${CRON_SHORTHANDS.join(', ')} or a five-field cron expression (minute hour day-of-month month day-of-week, UTC)`;
  if (text.startsWith('@')) return `${expected}; '${text}' is not one of the shorthands`;
  const fields = text.split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) return `${expected}; '${text}' has ${fields.length} field${fields.length === 1 ? '' : 's'}`;
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = cronFieldProblem(field, fields[i]!);
    if (problem) return `invalid cron expression: ${problem}`;
    // Each field alone first, so the message names the field that is wrong.
    const alone = cronParserProblem(CRON_FIELDS.map((_, j) => (j === i ? fields[i]! : '*')));
    if (alone) return `invalid cron expression: the ${field} field '${fields[i]}': ${alone}`;
  }
  const together = cronParserProblem(fields);
  return together ? `invalid cron expression: ${together}` : null;
}

/** When a Schedule runs a connection's syncs; null for manual connections (no Schedule). */
export type SyncScheduleSpec = { intervalMs: number } | { cron: string } | null;

const HOUR = 3_600_000;
const INTERVALS: Record<Exclude<SyncFrequency, 'manual'>, number> = {
  hourly: HOUR,
  every_6_hours: 6 * HOUR,
  daily: 24 * HOUR,
  weekly: 7 * 24 * HOUR,
};

export function syncScheduleSpec(frequency: string): SyncScheduleSpec {
  if (frequency === 'manual') return null;
  if (frequency in INTERVALS) return { intervalMs: INTERVALS[frequency as keyof typeof INTERVALS] };
  return { cron: frequency.trim() };
}

/**
 * Spreads a connection's runs over a tenth of its interval (at most 30 minutes), so thousands of
 * daily connections do not all call their platforms at the same second.
 */
export function syncScheduleJitterMs(spec: NonNullable<SyncScheduleSpec>): number {
  const period = 'intervalMs' in spec ? spec.intervalMs : HOUR;
  return Math.min(period / 10, 30 * 60_000);
}
