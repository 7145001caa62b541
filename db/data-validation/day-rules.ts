import { type Transaction, sql } from 'kysely';
import type { StreamKind } from '../../domain/platforms';
import { addDays } from '../../domain/sync';
import { DAILY_STREAMS, FUNNEL_STREAMS, type RuleOutcome, VOLUME_STREAMS } from '../../domain/validation-rules';
import type { Database } from '../schema';
import type { MetricsProfileTotals } from './metrics-profile';
import { notApplicable, outcome } from './outcome';
import { robustAnomalies } from './robust-anomalies';

/** The day-level rules, over the temporary validation_profile of the current transaction. */

const inList = (streams: readonly StreamKind[]) => sql.join(streams.map((s) => sql.lit(s)));

export function dailyFreshness(profile: MetricsProfileTotals, input: { asOf: string; now: Date }): RuleOutcome {
  if (profile.rows === 0)
    return outcome('daily_freshness', { violations: 1, checked: 1, message: 'No data has been synced', samples: [{ detail: 'no rows' }] });
  const daily = profile.streams.filter((s) => DAILY_STREAMS.includes(s));
  if (daily.length > 0) {
    // Yesterday is the latest complete day; today's partial rows count as fresh too.
    const latestDaily = profile.latestDailyDate;
    const fresh = latestDaily !== null && latestDaily >= addDays(input.asOf, -1);
    return outcome('daily_freshness', {
      violations: fresh ? 0 : 1,
      checked: 1,
      message: fresh ? `Latest day ${latestDaily}` : `Latest day ${latestDaily}, expected ${addDays(input.asOf, -1)} or later`,
      samples: fresh ? [] : [{ detail: `latest day ${latestDaily}` }],
    });
  }
  const ageHours = profile.lastSyncedAt ? (input.now.getTime() - profile.lastSyncedAt.getTime()) / 3_600_000 : Infinity;
  const fresh = ageHours <= 24;
  return outcome('daily_freshness', {
    violations: fresh ? 0 : 1,
    checked: 1,
    message: fresh ? `Synced ${ageHours.toFixed(1)} h ago` : `Last synced ${ageHours.toFixed(1)} h ago, more than 24 h`,
    samples: fresh ? [] : [{ detail: `last synced ${profile.lastSyncedAt?.toISOString()}` }],
  });
}

export async function weeklyAvailability(trx: Transaction<Database>, profile: MetricsProfileTotals, input: { asOf: string }): Promise<RuleOutcome> {
  const daily = profile.streams.filter((s) => DAILY_STREAMS.includes(s));
  if (daily.length === 0) return notApplicable('weekly_availability', 'No daily stream to cover');
  const from = addDays(input.asOf, -7);
  const to = addDays(input.asOf, -1);
  const missing = await sql<{ stream: StreamKind; date: string }>`
    select s.stream, d::date::text as date
    from (values ${sql.join(daily.map((s) => sql`(${sql.lit(s)})`))}) s(stream)
    cross join generate_series(${from}::date, ${to}::date, interval '1 day') d
    where not exists (select 1 from validation_profile p where p.stream = s.stream and p.date = d::date)
    order by date, stream`.execute(trx);
  const n = missing.rows.length;
  return outcome('weekly_availability', {
    violations: n,
    checked: 7 * daily.length,
    message: n === 0 ? `All 7 days from ${from} to ${to} present` : `${n} of ${7 * daily.length} stream-days from ${from} to ${to} missing`,
    samples: missing.rows.map((r) => ({ stream: r.stream, date: r.date, detail: 'no rows' })),
  });
}

export async function volumeConsistency(
  trx: Transaction<Database>,
  profile: MetricsProfileTotals,
): Promise<{ outcome: RuleOutcome; anomalousDays: Set<string> }> {
  const streams = profile.streams.filter((s) => VOLUME_STREAMS.includes(s));
  if (streams.length === 0) return { outcome: notApplicable('volume_consistency', 'No stream with a daily volume'), anomalousDays: new Set() };
  const { anomalies, judged } = await robustAnomalies(
    trx,
    sql`select stream, 'rows'::text as metric, date, row_count::float8 as v from validation_profile where stream in (${inList(streams)})`,
    { counts: true },
  );
  if (judged === 0) return { outcome: notApplicable('volume_consistency', 'Fewer than 8 days of history'), anomalousDays: new Set() };
  return {
    outcome: outcome('volume_consistency', {
      violations: anomalies.length,
      checked: judged,
      message: anomalies.length === 0 ? `${judged} days within the expected volume` : `${anomalies.length} anomalous days`,
      samples: anomalies.map((a) => ({ stream: a.stream, date: a.date, detail: `${a.value} rows, trailing median ${a.median}, MAD ${a.mad}` })),
    }),
    anomalousDays: new Set(anomalies.map((a) => `${a.stream}|${a.date}`)),
  };
}

/**
 * Gaps inside a daily stream's history, and jumps in its metric levels on days whose volume is
 * normal (a day already flagged for its volume is the volume rule's finding).
 */
export async function temporalConsistency(trx: Transaction<Database>, profile: MetricsProfileTotals, volumeAnomalies: Set<string>): Promise<RuleOutcome> {
  const daily = profile.streams.filter((s) => DAILY_STREAMS.includes(s));
  const funnel = profile.streams.filter((s) => FUNNEL_STREAMS.includes(s));
  if (daily.length === 0 && funnel.length === 0) return notApplicable('temporal_consistency', 'No daily stream');

  const gaps =
    daily.length === 0
      ? []
      : (
          await sql<{ stream: StreamKind; date: string }>`
            select b.stream, d::date::text as date
            from (select stream, min(date) as first, max(date) as last from validation_profile where stream in (${inList(daily)}) group by stream) b
            cross join lateral generate_series(b.first, b.last, interval '1 day') d
            where not exists (select 1 from validation_profile p where p.stream = b.stream and p.date = d::date)
            order by date, stream`.execute(trx)
        ).rows;

  const levels =
    funnel.length === 0
      ? { anomalies: [], judged: 0 }
      : await robustAnomalies(
          trx,
          sql`select stream, m.metric, date, m.v from validation_profile
              cross join lateral (values
                ('impressions per row', impressions / row_count),
                ('CTR', clicks / nullif(impressions, 0)),
                ('CPC', case when spend_rows > 0 then spend / nullif(clicks, 0) end)) m(metric, v)
              where stream in (${inList(funnel)}) and m.v is not null`,
          { counts: false },
        );
  const jumps = new Map<string, { stream: StreamKind; date: string; details: string[] }>();
  for (const a of levels.anomalies) {
    const key = `${a.stream}|${a.date}`;
    if (volumeAnomalies.has(key)) continue;
    const jump = jumps.get(key) ?? { stream: a.stream, date: a.date, details: [] };
    jump.details.push(`${a.metric} ${round(a.value)} vs trailing median ${round(a.median)}`);
    jumps.set(key, jump);
  }
  const samples = [
    ...gaps.map((g) => ({ stream: g.stream, date: g.date, detail: 'gap: no rows between earlier and later days' })),
    ...[...jumps.values()].map((j) => ({ stream: j.stream, date: j.date, detail: `jump: ${j.details.join('; ')}` })),
  ].sort((x, y) => x.date.localeCompare(y.date));
  const violations = gaps.length + jumps.size;
  return outcome('temporal_consistency', {
    violations,
    checked: profile.daysWithData,
    message: violations === 0 ? 'No gaps or implausible jumps' : `${gaps.length} gap days, ${jumps.size} days with implausible jumps`,
    samples,
  });
}

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 10_000) / 10_000;
}
