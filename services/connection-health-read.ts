import type { Kysely } from 'kysely';
import { connectionSyncHealth } from '../db/repositories/connection-sync-health';
import { fullIntegrationTestReport, latestIntegrationTestReportsOfOrg } from '../db/repositories/integration-test-reports';
import type { Connection, Database } from '../db/schema';
import { classifyConnectionHealth, type ConnectionHealth } from '../domain/connection-health';
import { DEFAULT_INTEGRATION_THRESHOLDS } from '../domain/integration-test-report';

/** A suite's probe counts towards a connection's health for this long. */
export const PROBE_FRESH_MS = 24 * 60 * 60 * 1000;

export interface ConnectionHealthRead {
  health: ConnectionHealth;
  /** When an integration suite last tested the connection, if one did. */
  lastTestedAt: string | null;
}

/**
 * How healthy the org's connections are now (domain/connection-health.ts): reads the org's latest integration
 * reports once, and answers a function that classifies one connection from its sync history and, when its
 * report is fresh, the suite's probe and quality score. What GET /live-integration/health-status and the
 * connections dashboard both show.
 */
export async function orgConnectionHealth(db: Kysely<Database>, orgId: string, now: Date): Promise<(connection: Connection) => Promise<ConnectionHealthRead>> {
  const reports = await latestIntegrationTestReportsOfOrg(db, orgId);
  const latest = new Map(reports.map((r) => [r.connection_id, fullIntegrationTestReport(r)]));
  return async (connection) => {
    const history = await connectionSyncHealth(db, connection.id);
    const report = latest.get(connection.id);
    const fresh = report?.testedAt && now.getTime() - Date.parse(report.testedAt) <= PROBE_FRESH_MS ? report : undefined;
    const health = classifyConnectionHealth({
      connectionStatus: connection.status,
      syncs: history.syncs,
      lastSuccessfulSyncAt: history.lastSuccessfulSyncAt,
      qualityScore: fresh?.health?.qualityScore ?? null,
      probe: fresh?.health?.probe ?? null,
      now,
      staleSyncHours: DEFAULT_INTEGRATION_THRESHOLDS.staleSyncHours,
    });
    return { health, lastTestedAt: report?.testedAt ?? null };
  };
}
