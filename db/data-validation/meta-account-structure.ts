import { type Transaction, sql } from 'kysely';
import type { DataSource } from '../../domain/connection';
import type { RuleOutcome } from '../../domain/validation-rules';
import type { Database } from '../schema';
import { outcome } from './outcome';

/**
 * Meta's account → campaign → ad set → ad hierarchy, from the ad rows: every ad under exactly one ad
 * set (its parent_id, matching the raw adset_id) and one campaign, every ad set under exactly one
 * campaign, and no row of another ad account. One parallel pass grouped by ad; ad sets are then
 * judged from the (few) per-ad results. Text compared in the C collation: only equality matters.
 */
export async function metaAccountStructure(
  trx: Transaction<Database>,
  input: { connectionId: string; source: DataSource; accountId: string },
): Promise<RuleOutcome> {
  const account = input.accountId.replace(/^act_/, '');
  const result = await sql<{ level: 'ad' | 'ad_set'; entity_id: string; problems: string[] }>`
    with ads as (
      select entity_id,
        min(parent_id collate "C") as parent_min, max(parent_id collate "C") as parent_max,
        count(*) filter (where parent_id is null) as orphan_rows,
        count(*) filter (where raw ? 'adset_id' and raw ->> 'adset_id' is distinct from parent_id) as mismatched_rows,
        min((raw ->> 'campaign_id') collate "C") as campaign_min, max((raw ->> 'campaign_id') collate "C") as campaign_max,
        count(*) filter (where coalesce(raw ->> 'campaign_id', '') = '') as no_campaign_rows,
        count(*) filter (where raw ? 'account_id' and regexp_replace(raw ->> 'account_id', '^act_', '') <> ${account}) as foreign_rows
      from marketing_metrics
      where connection_id = ${input.connectionId} and source = ${input.source} and stream = 'ad_performance'
      group by entity_id
    )
    select * from (
      select 'ad' as level, entity_id,
        array_remove(array[
          case when orphan_rows > 0 then 'ad without ad set' end,
          case when parent_min <> parent_max then 'ad under several ad sets' end,
          case when mismatched_rows > 0 then 'raw adset_id differs from parent' end,
          case when no_campaign_rows > 0 then 'ad without campaign' end,
          case when foreign_rows > 0 then 'row of another ad account' end
        ], null) as problems
      from ads
      union all
      select 'ad_set', parent_min,
        array_remove(array[case when min(campaign_min) <> max(campaign_max) then 'ad set under several campaigns' end], null)
      from ads where parent_min is not null group by parent_min
    ) entities
    order by level, entity_id`.execute(trx);
  const entities = result.rows;
  const broken = entities.filter((e) => e.problems.length > 0);
  const ads = entities.filter((e) => e.level === 'ad').length;
  return outcome('meta_account_structure', {
    violations: broken.length,
    checked: entities.length,
    message:
      broken.length === 0 ? `${ads} ads and ${entities.length - ads} ad sets form an intact hierarchy` : `${broken.length} ads or ad sets break the hierarchy`,
    samples: broken.map((b) => ({ entityId: b.entity_id, detail: `${b.level === 'ad' ? 'ad' : 'ad set'}: ${b.problems.join(', ')}` })),
  });
}
