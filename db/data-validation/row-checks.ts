import { type RawBuilder, sql } from 'kysely';
import type { PlatformId, StreamKind } from '../../domain/platforms';
import { STREAM_KINDS } from '../../domain/platforms';
import { requiredFields, valueBounds } from '../../domain/validation-field-rules';
import { FUNNEL_STREAMS } from '../../domain/validation-rules';

/** One named condition on a marketing_metrics row; true means the row violates it. */
export interface RowCheck {
  label: string;
  violated: RawBuilder<boolean>;
}

/** The row-level rules, each a list of checks over the columns of one marketing_metrics row. */
export interface RowRuleChecks {
  required_fields: RowCheck[];
  metric_relationships: RowCheck[];
  value_ranges: RowCheck[];
  google_ads_quality_score: RowCheck[];
}

const inStreams = (streams: readonly StreamKind[]) => sql`stream in (${sql.join(streams.map((s) => sql.lit(s)))})`;

/** A number in the raw record (JSON number or numeric string), else null. Keys are constants of this file. */
const rawNumber = (path: RawBuilder<unknown>) =>
  sql`(case when jsonb_typeof(${path}) = 'number' then (${path} #>> '{}')::numeric when jsonb_typeof(${path}) = 'string' and (${path} #>> '{}') ~ '^-?[0-9]+(\\.[0-9]+)?$' then (${path} #>> '{}')::numeric end)`;
const rawKey = (key: string) => sql`(raw -> ${sql.lit(key)})`;

/** Agreement within 1 % (and a cent, for rounding in the platform's report). */
const disagrees = (reported: RawBuilder<unknown>, derived: RawBuilder<unknown>) => sql`abs(${reported} - ${derived}) > 0.01 + 0.01 * abs(${reported})`;

export function rowRuleChecks(platform: PlatformId): RowRuleChecks {
  const bounds = valueBounds(platform);

  const required: RowCheck[] = [{ label: 'raw record is empty', violated: sql<boolean>`raw = '{}'::jsonb` }];
  for (const stream of STREAM_KINDS) {
    for (const field of requiredFields(platform, stream)) {
      required.push({ label: `${field} missing`, violated: sql<boolean>`(stream = ${sql.lit(stream)} and ${sql.ref(field)} is null)` });
    }
  }

  const funnel = inStreams(FUNNEL_STREAMS);
  const ctr = rawNumber(rawKey('ctr'));
  const cpc = rawNumber(rawKey('cpc'));
  const cpm = rawNumber(rawKey('cpm'));
  // Relationships are judged on in-range values: a negative count is a range violation, not a funnel one.
  const relationships: RowCheck[] = [
    { label: 'clicks > impressions', violated: sql<boolean>`(${funnel} and impressions >= 0 and clicks > impressions)` },
    { label: 'conversions > clicks', violated: sql<boolean>`(${funnel} and clicks >= 0 and conversions >= 0 and conversions > clicks)` },
    { label: 'spend without impressions', violated: sql<boolean>`(${funnel} and impressions = 0 and spend > 0)` },
    // `raw ? key` first: most rows report no ratios, and parsing them is the dearest part of the pass.
    {
      label: 'reported CTR ≠ clicks / impressions',
      violated: sql<boolean>`(raw ? 'ctr' and ${funnel} and impressions > 0 and clicks >= 0 and ${disagrees(ctr, sql`100.0 * clicks / impressions`)})`,
    },
    {
      label: 'reported CPC ≠ spend / clicks',
      violated: sql<boolean>`(raw ? 'cpc' and ${funnel} and clicks > 0 and spend >= 0 and ${disagrees(cpc, sql`spend / clicks`)})`,
    },
    {
      label: 'reported CPM ≠ 1000 × spend / impressions',
      violated: sql<boolean>`(raw ? 'cpm' and ${funnel} and impressions > 0 and spend >= 0 and ${disagrees(cpm, sql`1000.0 * spend / impressions`)})`,
    },
  ];

  const ranges: RowCheck[] = [
    ...(['impressions', 'clicks', 'spend', 'conversions', 'revenue'] as const).map((c) => ({
      label: `negative ${c}`,
      violated: sql<boolean>`${sql.ref(c)} < 0`,
    })),
    { label: `CPC above ${bounds.maxCpc}`, violated: sql<boolean>`(clicks > 0 and spend > ${sql.lit(bounds.maxCpc)} * clicks)` },
    { label: `CPM above ${bounds.maxCpm}`, violated: sql<boolean>`(impressions > 0 and spend * 1000 > ${sql.lit(bounds.maxCpm)} * impressions)` },
    { label: `revenue above ${bounds.maxRevenue}`, violated: sql<boolean>`revenue > ${sql.lit(bounds.maxRevenue)}` },
  ];

  // Mock rows carry quality_score flat; Google Ads rows at keyword level nest it under the criterion.
  const qualityScorePath = sql`coalesce(raw -> 'quality_score', raw #> '{adGroupCriterion,qualityInfo,qualityScore}')`;
  const qualityScore = rawNumber(qualityScorePath);
  const qualityScores: RowCheck[] =
    platform === 'google_ads'
      ? [
          {
            label: 'quality score outside 1-10',
            violated: sql<boolean>`(stream = 'ad_performance' and coalesce(jsonb_typeof(${qualityScorePath}), 'null') <> 'null' and (${qualityScore} is null or ${qualityScore} not between 1 and 10 or ${qualityScore} <> trunc(${qualityScore})))`,
          },
        ]
      : [];

  return { required_fields: required, metric_relationships: relationships, value_ranges: ranges, google_ads_quality_score: qualityScores };
}

/** True when any check is violated (never null: a null comparison is no violation). */
export function anyViolated(checks: readonly RowCheck[]): RawBuilder<boolean> {
  if (checks.length === 0) return sql<boolean>`false`;
  return sql<boolean>`coalesce(${sql.join(
    checks.map((c) => c.violated),
    sql` or `,
  )}, false)`;
}

/** The label of the first violated check, for a sample's detail. */
export function firstViolation(checks: readonly RowCheck[]): RawBuilder<string> {
  return sql<string>`case ${sql.join(
    checks.map((c) => sql`when coalesce(${c.violated}, false) then ${sql.lit(c.label)}`),
    sql` `,
  )} end`;
}
