import type { Migration, MigrationProvider } from 'kysely';
import * as initialSchema from './2026-11-25T0900-initial-schema';
import * as incrementalSync from './2026-11-25T1000-incremental-sync';
import * as syncSourceFallback from './2026-11-25T1010-sync-source-fallback';
import * as platformRateBuckets from './2026-11-25T1020-platform-rate-buckets';
import * as dataValidation from './2026-11-25T1030-data-validation';
import * as rollouts from './2026-11-25T1040-rollouts';
import * as integrationTestReports from './2026-11-25T1050-integration-test-reports';
import * as monitoring from './2026-11-25T1100-monitoring';
import * as metricFirstSynced from './2026-11-25T1110-metric-first-synced';
import * as metricSource from './2026-12-04T0900-metric-source';
import * as syncQuarantine from './2026-12-04T0910-sync-quarantine';
import * as syncStreamPlatformRequests from './2026-12-04T0920-sync-stream-platform-requests';
import * as auditDeploymentActors from './2026-12-04T0930-audit-deployment-actors';
import * as validationRuns from './2026-12-04T0940-validation-runs';
import * as retentionPolicies from './2026-12-04T2200-retention-policies';

/** Migrations in order. Imported statically so they run the same under tsx, jest and bundlers. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-25T0900-initial-schema': initialSchema,
  '2026-11-25T1000-incremental-sync': incrementalSync,
  '2026-11-25T1010-sync-source-fallback': syncSourceFallback,
  '2026-11-25T1020-platform-rate-buckets': platformRateBuckets,
  '2026-11-25T1030-data-validation': dataValidation,
  '2026-11-25T1040-rollouts': rollouts,
  '2026-11-25T1050-integration-test-reports': integrationTestReports,
  '2026-11-25T1100-monitoring': monitoring,
  '2026-11-25T1110-metric-first-synced': metricFirstSynced,
  '2026-12-04T0900-metric-source': metricSource,
  '2026-12-04T0910-sync-quarantine': syncQuarantine,
  '2026-12-04T0920-sync-stream-platform-requests': syncStreamPlatformRequests,
  '2026-12-04T0930-audit-deployment-actors': auditDeploymentActors,
  '2026-12-04T0940-validation-runs': validationRuns,
  '2026-12-04T2200-retention-policies': retentionPolicies,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
