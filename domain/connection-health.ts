import type { ConnectionStatus, DataSource } from './connection';
import type { SyncStatus } from './sync';

/**
 * A data source's health: `healthy`, `degraded` or `unhealthy`, from its recent sync outcomes, error
 * count, last error, last successful sync, quality score and (when a suite probed it) how the
 * platform answered. Pure; the suite's health component and GET /live-integration/health-status
 * both classify with it.
 */

export const HEALTH_STATUSES = ['healthy', 'degraded', 'unhealthy'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface HealthSync {
  status: SyncStatus;
  source: DataSource;
  /** A hybrid sync that fell back to mock: completed, but its live side failed. */
  fellBack: boolean;
  startedAt: Date;
  error: string | null;
}

/** How the platform answered a suite's probe requests. */
export interface HealthProbe {
  requests: number;
  /** Share answered without a 5xx or a network failure. */
  availability: number;
  authFailed: boolean;
  rateLimited: boolean;
}

export interface HealthInput {
  connectionStatus: ConnectionStatus;
  /** The connection's syncs, newest first (those older than the lookback are ignored). */
  syncs: readonly HealthSync[];
  /** The newest completed sync, however old. */
  lastSuccessfulSyncAt: Date | null;
  /**
   * 0-100: the quality of the connection's data. Today the integration suite's quality validation
   * score; the place where a data validation report's score plugs in (see
   * activities/integration-test-activities.ts `validationScore`). Null when unknown.
   */
  qualityScore: number | null;
  probe: HealthProbe | null;
  now: Date;
  staleSyncHours: number;
}

export interface ConnectionHealth {
  status: HealthStatus;
  /** Why it is not healthy, most serious first; empty when healthy. */
  reasons: string[];
  syncsConsidered: number;
  failedSyncs: number;
  /** Failed syncs plus hybrid fallbacks in the lookback. */
  errorCount: number;
  errorRate: number | null;
  lastError: string | null;
  lastSuccessfulSyncAt: string | null;
  qualityScore: number | null;
  probe: HealthProbe | null;
}

/** Syncs older than this do not count towards health. */
export const HEALTH_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
/** This many failed syncs in a row (the newest ones) make a source unhealthy. */
export const UNHEALTHY_FAILURE_RUN = 3;
const UNHEALTHY_QUALITY = 50;
const DEGRADED_QUALITY = 80;
const UNHEALTHY_AVAILABILITY = 0.5;
const DEGRADED_AVAILABILITY = 0.9;
const DEGRADED_ERROR_RATE = 0.2;
const UNHEALTHY_ERROR_RATE = 0.5;

export function classifyConnectionHealth(input: HealthInput): ConnectionHealth {
  const syncs = input.syncs.filter((s) => s.status !== 'running' && input.now.getTime() - s.startedAt.getTime() <= HEALTH_LOOKBACK_MS);
  const failed = syncs.filter((s) => s.status === 'failed');
  const errors = syncs.filter((s) => s.status === 'failed' || s.fellBack);
  const errorRate = syncs.length === 0 ? null : errors.length / syncs.length;
  const lastError = input.syncs.find((s) => s.error !== null || s.fellBack)?.error ?? null;
  let run = 0;
  for (const s of syncs) {
    if (s.status !== 'failed') break;
    run++;
  }

  const unhealthy: string[] = [];
  const degraded: string[] = [];
  if (input.connectionStatus === 'reauth_required') unhealthy.push('the connection needs re-authorisation');
  if (input.connectionStatus === 'error') unhealthy.push('the connection is in error');
  if (input.connectionStatus === 'disabled') degraded.push('the connection is disabled');
  if (input.probe?.authFailed) unhealthy.push('the platform rejects the credentials');
  if (input.probe && input.probe.availability < UNHEALTHY_AVAILABILITY)
    unhealthy.push(`the platform answered ${percent(input.probe.availability)} of probe requests`);
  else if (input.probe && input.probe.availability < DEGRADED_AVAILABILITY)
    degraded.push(`the platform answered ${percent(input.probe.availability)} of probe requests`);
  if (input.probe?.rateLimited) degraded.push('the platform is rate-limiting requests');
  if (run >= UNHEALTHY_FAILURE_RUN) unhealthy.push(`the last ${run} syncs failed`);
  else if (errorRate !== null && errorRate >= UNHEALTHY_ERROR_RATE && syncs.length >= 2)
    unhealthy.push(`${errors.length} of the last ${syncs.length} syncs failed or fell back`);
  else if (errorRate !== null && errorRate > DEGRADED_ERROR_RATE) degraded.push(`${errors.length} of the last ${syncs.length} syncs failed or fell back`);
  else if (syncs[0] && (syncs[0].status === 'failed' || syncs[0].fellBack)) degraded.push('the latest sync failed or fell back to mock');
  if (syncs.length > 0 || input.lastSuccessfulSyncAt) {
    if (!input.lastSuccessfulSyncAt) unhealthy.push('no sync has ever succeeded');
    else if (input.now.getTime() - input.lastSuccessfulSyncAt.getTime() > input.staleSyncHours * 3_600_000)
      degraded.push(`no successful sync in the last ${input.staleSyncHours} h`);
  }
  if (input.qualityScore !== null && input.qualityScore < UNHEALTHY_QUALITY)
    unhealthy.push(`data quality score ${input.qualityScore} is below ${UNHEALTHY_QUALITY}`);
  else if (input.qualityScore !== null && input.qualityScore < DEGRADED_QUALITY)
    degraded.push(`data quality score ${input.qualityScore} is below ${DEGRADED_QUALITY}`);

  return {
    status: unhealthy.length > 0 ? 'unhealthy' : degraded.length > 0 ? 'degraded' : 'healthy',
    reasons: [...unhealthy, ...degraded],
    syncsConsidered: syncs.length,
    failedSyncs: failed.length,
    errorCount: errors.length,
    errorRate: errorRate === null ? null : round(errorRate),
    lastError,
    lastSuccessfulSyncAt: input.lastSuccessfulSyncAt?.toISOString() ?? null,
    qualityScore: input.qualityScore,
    probe: input.probe,
  };
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
