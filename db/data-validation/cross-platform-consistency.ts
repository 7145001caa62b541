import { type Transaction, sql } from 'kysely';
import type { DataSource } from '../../domain/connection';
import { addDays } from '../../domain/sync';
import { AD_PLATFORMS, CROSS_PLATFORM, type RuleOutcome } from '../../domain/validation-rules';
import type { Database } from '../schema';
import { notApplicable, outcome } from './outcome';

const METRICS = ['ctr', 'cpc', 'cpm'] as const;

/**
 * Compares a connection's comparable ad metrics with its org's other advertising connections over
 * the last 28 days (rows of the same source: live against live, mock against mock): per connection the median of its daily CTR, CPC and CPM (medians of days, so a
 * few bad rows do not sway it), then each against the org's median of those.
 */
export async function crossPlatformConsistency(
  trx: Transaction<Database>,
  input: { connectionId: string; orgId: string; source: DataSource; asOf: string },
): Promise<RuleOutcome> {
  const from = addDays(input.asOf, -CROSS_PLATFORM.windowDays);
  const to = addDays(input.asOf, -1);
  const result = await sql<{ connection_id: string; platform: string; ctr: number | null; cpc: number | null; cpm: number | null }>`
    with daily as (
      select m.connection_id, m.date, sum(m.clicks)::float8 as clicks, sum(m.impressions)::float8 as impressions, sum(m.spend)::float8 as spend
      from user_platform_connections c
      join marketing_metrics m on m.connection_id = c.id and m.source = ${input.source} and m.stream = 'ad_performance' and m.date between ${from}::date and ${to}::date
      where c.org_id = ${input.orgId} and c.status <> 'disabled' and c.platform in (${sql.join(AD_PLATFORMS.map((p) => sql.lit(p)))})
      group by m.connection_id, m.date
    )
    select d.connection_id, c.platform,
      percentile_cont(0.5) within group (order by d.clicks / nullif(d.impressions, 0)) as ctr,
      percentile_cont(0.5) within group (order by d.spend / nullif(d.clicks, 0)) as cpc,
      percentile_cont(0.5) within group (order by 1000 * d.spend / nullif(d.impressions, 0)) as cpm
    from daily d join user_platform_connections c on c.id = d.connection_id
    group by d.connection_id, c.platform`.execute(trx);
  const connections = result.rows;
  const own = connections.find((c) => c.connection_id === input.connectionId);
  if (!own) return notApplicable('cross_platform_consistency', `No ad data from ${from} to ${to}`);
  if (connections.length < CROSS_PLATFORM.minConnections) {
    return notApplicable(
      'cross_platform_consistency',
      `The org has ${connections.length} advertising connection(s) with recent data; ${CROSS_PLATFORM.minConnections} are needed to compare`,
    );
  }
  const samples = [];
  for (const metric of METRICS) {
    const value = own[metric];
    const orgMedian = median(connections.map((c) => c[metric]).filter((v): v is number => v !== null));
    if (value === null || orgMedian === null || orgMedian <= 0 || value <= 0) continue;
    const factor = value / orgMedian;
    if (factor > CROSS_PLATFORM.maxFactor || factor < 1 / CROSS_PLATFORM.maxFactor) {
      samples.push(`${metric.toUpperCase()} ${fmt(value)} is ${fmt(factor)}× the org median ${fmt(orgMedian)}`);
    }
  }
  return outcome('cross_platform_consistency', {
    violations: samples.length > 0 ? 1 : 0,
    checked: 1,
    message:
      samples.length === 0
        ? `CTR, CPC and CPM agree with ${connections.length - 1} other ad connection(s)`
        : `Disagrees with the org's other ad connections: ${samples.join('; ')}`,
    samples: samples.length > 0 ? [{ detail: samples.join('; ') }] : [],
  });
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(n: number): string {
  return n >= 10 ? n.toFixed(1) : n.toPrecision(3);
}
