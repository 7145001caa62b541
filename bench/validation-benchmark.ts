import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { validateConnectionData } from '../db/data-validation/validate-connection-data';
import { credentialColumns, insertConnection } from '../db/repositories/connections';
import { addDays } from '../domain/sync';
import { createCredentialVault } from '../security/credential-vault';
import { parseKeyring } from '../security/keyring';
import type { BenchInfrastructure } from './bench-infrastructure';

/** A year of daily rows; the ads per day follow from the row count. */
const DAYS = 365;
const LAST_DAY = '2026-11-01';
const AS_OF = '2026-11-02';

export interface ValidationBenchmarkResult {
  rows: number;
  generateSeconds: number;
  /** Seconds per validation of the clean connection, each round (the first reads a cold cache). */
  cleanSeconds: number[];
  /** The same after planting a few defects: rules that find something take a second pass for samples. */
  defectSeconds: number[];
  cleanScore: number;
  defectScore: number;
  failedRules: string[];
}

/**
 * N rows of Meta-shaped ad performance for one connection, generated inside Postgres
 * (generate_series), then validated with all ten rules (validateConnectionData, what
 * validationWorkflow's activity runs). Meta, because its hierarchy rule takes a second grouped pass.
 */
export async function runValidationBenchmark(infra: BenchInfrastructure, options: { rows: number; rounds: number }): Promise<ValidationBenchmarkResult> {
  const db = infra.database.db;
  const ads = Math.ceil(options.rows / DAYS);
  const firstDay = addDays(LAST_DAY, -(DAYS - 1));
  const id = randomUUID();
  const orgId = `bench-validation-${id.slice(0, 8)}`;
  const vault = await createCredentialVault(parseKeyring(`v1:${randomBytes(32).toString('base64')}`));
  const connection = await insertConnection(db, {
    id,
    org_id: orgId,
    user_id: 'bench',
    platform: 'meta_business',
    account_id: 'act_424242',
    display_name: 'Validation benchmark',
    status: 'active',
    data_mode: 'mock',
    sync_frequency: 'manual',
    ...credentialColumns(vault.seal(id, {})),
    last_sync_at: null,
    last_sync_status: null,
  });

  const generateStarted = performance.now();
  // Per ad a stable base (hashed from its index), per day ±15 % noise and a weekend dip, as the mock generator does.
  await sql`
    insert into marketing_metrics (connection_id, stream, entity_id, date, org_id, platform, entity_name, parent_id, impressions, clicks, spend, conversions, revenue, currency, raw, source)
    select ${id}::uuid, 'ad_performance', ad_id, d.date, ${orgId}, 'meta_business', 'Ad ' || a, adset_id, v.impressions, v.clicks, v.spend, v.conversions, v.conversions * 60, 'USD',
      jsonb_build_object('ad_id', ad_id, 'adset_id', adset_id, 'campaign_id', campaign_id, 'date', d.date, 'impressions', v.impressions, 'clicks', v.clicks, 'spend', v.spend), 'live'
    from generate_series(0, ${DAYS - 1}) as day_index
    cross join lateral (select (${firstDay}::date + day_index) as date) d
    cross join generate_series(0, ${ads - 1}) as a
    cross join lateral (select 'ad' || a as ad_id, 'adset' || (a / 5) as adset_id, 'campaign' || (a / 50) as campaign_id,
      2000 + (abs(hashint4(a)) % 18000) as base, 0.005 + (abs(hashint4(a + 7)) % 250) / 10000.0 as ctr, 0.3 + (abs(hashint4(a + 13)) % 220) / 100.0 as cpc) p
    cross join lateral (select round(p.base * (case when extract(isodow from d.date) >= 6 then 0.75 else 1 end) * (0.85 + (abs(hashint4(a * 7919 + day_index)) % 300) / 1000.0))::bigint as impressions) i
    cross join lateral (select i.impressions, round(i.impressions * p.ctr)::bigint as clicks) c
    cross join lateral (select c.impressions, c.clicks, round(c.clicks * p.cpc, 2) as spend, round(c.clicks * 0.04) as conversions) v`.execute(db);
  // Settled as the daily validation finds data synced hours before: autovacuum has set the hint bits and
  // visibility map and refreshed the statistics, and the earlier benchmarks' deleted rows are gone.
  await sql`vacuum (analyze) marketing_metrics`.execute(db);
  await sql`checkpoint`.execute(db);
  const generateSeconds = (performance.now() - generateStarted) / 1000;
  const rows = DAYS * ads;

  const now = new Date(`${AS_OF}T12:00:00Z`);
  const validate = async () => {
    const started = performance.now();
    const findings = await validateConnectionData(db, { connection, source: 'live', asOf: AS_OF, now });
    return { seconds: (performance.now() - started) / 1000, findings };
  };
  const cleanSeconds: number[] = [];
  let clean = await validate();
  for (let round = 0; round < options.rounds; round++) {
    clean = await validate();
    cleanSeconds.push(clean.seconds);
  }

  // A few defects: clicks above impressions on five rows, and a day that lost most of its rows.
  await sql`update marketing_metrics set clicks = impressions + 1 where connection_id = ${id} and date = ${addDays(LAST_DAY, -40)} and entity_id in ('ad1', 'ad2', 'ad3', 'ad4', 'ad5')`.execute(db);
  await sql`delete from marketing_metrics where connection_id = ${id} and date = ${addDays(LAST_DAY, -60)} and entity_id <> 'ad0'`.execute(db);
  const defectSeconds: number[] = [];
  let defective = await validate();
  for (let round = 0; round < options.rounds; round++) {
    defective = await validate();
    defectSeconds.push(defective.seconds);
  }
  await sql`delete from user_platform_connections where id = ${id}`.execute(db);

  return {
    rows,
    generateSeconds,
    cleanSeconds,
    defectSeconds,
    cleanScore: clean.findings.score,
    defectScore: defective.findings.score,
    failedRules: defective.findings.rules.filter((r) => !r.passed).map((r) => r.ruleId),
  };
}
