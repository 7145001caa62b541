import { randomBytes, randomUUID } from 'node:crypto';
import { generateValidationBenchmarkRows, plantValidationDefects } from '../db/benchmark-queries';
import { validateConnectionData } from '../db/data-validation/validate-connection-data';
import { credentialColumns, deleteConnection, insertConnection } from '../db/repositories/connections';
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
  await generateValidationBenchmarkRows(db, { connectionId: id, orgId, firstDay, days: DAYS, ads });
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
  await plantValidationDefects(db, id, { implausibleDay: addDays(LAST_DAY, -40), thinnedDay: addDays(LAST_DAY, -60) });
  const defectSeconds: number[] = [];
  let defective = await validate();
  for (let round = 0; round < options.rounds; round++) {
    defective = await validate();
    defectSeconds.push(defective.seconds);
  }
  await deleteConnection(db, orgId, id);

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
