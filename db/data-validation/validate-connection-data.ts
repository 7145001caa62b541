import { type Kysely, sql } from 'kysely';
import { scoreRuleOutcomes } from '../../domain/data-quality-score';
import type { StreamKind } from '../../domain/platforms';
import { type MetricField, requiredFields } from '../../domain/validation-field-rules';
import { completeness, consistencyScore, freshnessScore, syncSuccessRate } from '../../domain/validation-metrics-analysis';
import { recommendationsFor } from '../../domain/validation-recommendations';
import type { ValidationReport } from '../../domain/validation-report';
import { type RuleOutcome, VALIDATION_RULE_IDS, VALIDATION_RULES, ruleApplies } from '../../domain/validation-rules';
import { daysBetween } from '../../domain/sync';
import type { DataSource } from '../../domain/connection';
import type { Connection, Database } from '../schema';
import { crossPlatformConsistency } from './cross-platform-consistency';
import { dailyFreshness, temporalConsistency, volumeConsistency, weeklyAvailability } from './day-rules';
import { type MetricsProfileTotals, type RowRuleId, buildMetricsProfile } from './metrics-profile';
import { metaAccountStructure } from './meta-account-structure';
import { notApplicable, outcome } from './outcome';
import { rowRuleChecks } from './row-checks';
import { rowRuleSamples } from './row-rule-samples';

export type ValidationFindings = Omit<ValidationReport, 'reportId' | 'workflowId'>;

const ROW_RULE_NOUNS: Record<RowRuleId, string> = {
  required_fields: 'rows miss a required field',
  metric_relationships: 'rows break a metric relationship',
  value_ranges: 'rows hold out-of-range values',
  google_ads_quality_score: 'rows hold a quality score outside 1-10',
};

/**
 * Validates one connection's synced data with the ten rules, as set-based SQL: one grouped pass over
 * its rows into a temporary per-day profile, then small queries over that profile; a second pass only
 * for Meta's hierarchy and for samples of rules that found something. Runs in one read transaction so
 * every rule sees the same snapshot. Judges the rows of one source (`source`), never live and mock together.
 */
export async function validateConnectionData(
  db: Kysely<Database>,
  input: { connection: Connection; source: DataSource; asOf: string; now: Date },
): Promise<ValidationFindings> {
  const started = Date.now();
  const { connection, source, asOf, now } = input;
  const checks = rowRuleChecks(connection.platform);

  const { outcomes, profile, reliability } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const profile = await buildMetricsProfile(trx, { connectionId: connection.id, source, platform: connection.platform, checks });
      const byRule = new Map<string, RuleOutcome>();

      byRule.set('daily_freshness', dailyFreshness(profile, { asOf, now }));
      byRule.set('weekly_availability', await weeklyAvailability(trx, profile, { asOf }));
      for (const rule of ['required_fields', 'metric_relationships', 'value_ranges', 'google_ads_quality_score'] as const) {
        if (!ruleApplies(VALIDATION_RULES[rule], connection.platform)) {
          byRule.set(rule, notApplicable(rule, `Applies to ${describePlatforms(rule)} only`));
          continue;
        }
        const violations = profile.violations[rule];
        byRule.set(
          rule,
          outcome(rule, {
            applicable: profile.rows > 0,
            violations,
            checked: profile.rows,
            message: violations === 0 ? `${profile.rows} rows checked` : `${violations} of ${profile.rows} ${ROW_RULE_NOUNS[rule]}`,
            samples: violations > 0 ? await rowRuleSamples(trx, connection.id, source, rule, checks[rule]) : [],
          }),
        );
      }
      const volume = await volumeConsistency(trx, profile);
      byRule.set('volume_consistency', volume.outcome);
      byRule.set('temporal_consistency', await temporalConsistency(trx, profile, volume.anomalousDays));
      byRule.set(
        'cross_platform_consistency',
        ruleApplies(VALIDATION_RULES.cross_platform_consistency, connection.platform)
          ? await crossPlatformConsistency(trx, { connectionId: connection.id, orgId: connection.org_id, source, asOf })
          : notApplicable('cross_platform_consistency', 'Applies to advertising platforms only'),
      );
      byRule.set(
        'meta_account_structure',
        connection.platform !== 'meta_business'
          ? notApplicable('meta_account_structure', 'Applies to Meta Business only')
          : profile.streams.includes('ad_performance')
            ? await metaAccountStructure(trx, { connectionId: connection.id, source, accountId: connection.account_id })
            : notApplicable('meta_account_structure', 'No ad rows'),
      );
      const reliability = await syncReliability(trx, connection.id);
      return { outcomes: VALIDATION_RULE_IDS.map((id) => byRule.get(id)!), profile, reliability };
    });

  const score = scoreRuleOutcomes(outcomes);
  const anomalousDays =
    (outcomes.find((o) => o.ruleId === 'volume_consistency')?.violations ?? 0) + (outcomes.find((o) => o.ruleId === 'temporal_consistency')?.violations ?? 0);
  return {
    connectionId: connection.id,
    orgId: connection.org_id,
    platform: connection.platform,
    source,
    asOf,
    validatedAt: now.toISOString(),
    score: score.score,
    level: score.level,
    rulesApplicable: score.applicable,
    rulesPassed: score.passed,
    rulesFailed: score.failed,
    rowCount: profile.rows,
    durationMs: Date.now() - started,
    rules: outcomes,
    metrics: {
      freshness: {
        latestDate: profile.latestDate,
        earliestDate: profile.earliestDate,
        spanDays: profile.earliestDate && profile.latestDate ? daysBetween(profile.earliestDate, profile.latestDate) + 1 : 0,
        daysWithData: profile.daysWithData,
        lastSyncedAt: profile.lastSyncedAt?.toISOString() ?? null,
        freshnessScore: freshnessScore(profile.latestDailyDate ?? profile.latestDate, asOf),
      },
      completeness: completeness(fieldCounts(connection.platform, profile)),
      consistency: {
        rows: profile.rows,
        relationshipViolations: profile.violations.metric_relationships,
        rangeViolations: profile.violations.value_ranges,
        anomalousDays,
        consistencyScore: consistencyScore({
          rows: profile.rows,
          violatingRows: profile.violations.metric_relationships + profile.violations.value_ranges,
          anomalousDays,
        }),
      },
      reliability: {
        connectionStatus: connection.status,
        lastSyncAt: connection.last_sync_at?.toISOString() ?? null,
        lastSyncStatus: connection.last_sync_status,
        ...reliability,
      },
    },
    recommendations: recommendationsFor(connection.platform, outcomes),
  };
}

/** Present/expected counts of each required field over the streams that require it. */
function fieldCounts(platform: Connection['platform'], profile: MetricsProfileTotals): Partial<Record<MetricField, { present: number; expected: number }>> {
  const counts: Partial<Record<MetricField, { present: number; expected: number }>> = {};
  for (const [stream, totals] of Object.entries(profile.perStream) as [StreamKind, NonNullable<MetricsProfileTotals['perStream'][StreamKind]>][]) {
    for (const field of requiredFields(platform, stream)) {
      const c = (counts[field] ??= { present: 0, expected: 0 });
      c.present += totals.present[field];
      c.expected += totals.rows;
    }
  }
  return counts;
}

/** The completed share of the connection's last 30 finished syncs. */
async function syncReliability(db: Kysely<Database>, connectionId: string) {
  const rows = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from (
      select status from data_sync_logs where connection_id = ${connectionId} and status <> 'running' order by started_at desc limit 30
    ) recent group by status`.execute(db);
  const count = (status: string) => rows.rows.find((r) => r.status === status)?.n ?? 0;
  const statuses = { completed: count('completed'), failed: count('failed'), cancelled: count('cancelled') };
  return { syncSuccessRate: syncSuccessRate(statuses), syncsConsidered: statuses.completed + statuses.failed + statuses.cancelled };
}

function describePlatforms(rule: keyof typeof VALIDATION_RULES): string {
  const platforms = VALIDATION_RULES[rule].platforms;
  return platforms === 'all' ? 'every platform' : platforms.join(', ');
}
