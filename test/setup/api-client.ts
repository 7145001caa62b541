import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Registry } from 'prom-client';
import { createApp } from '../../api/app';
import type { PlatformOAuthDeps } from '../../api/oauth/platform-oauth-deps';
import { createPlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';
import { createConnectionSyncSchedules, SCHEDULE_CALL_TIMEOUT_MS } from '../../schedules/connection-sync-schedule';
import type { PlatformId } from '../../domain/platforms';
import { createPlatformConnectors } from '../../connectors/platform-connectors';
import type { PlatformQuotas } from '../../domain/platform-quotas';
import type { ApiLimits } from '../../api/app-deps';
import type { PlatformNetwork } from '../../connectors/platform-network';
import { EMULATOR_NETWORK } from './connector-test-kit';
import { createLogger, type Logger } from '../../observability/logger';
import { OPERATOR_ROLE, type Role, signAccessToken } from '../../security/access-token';
import { NO_PLATFORM_QUOTAS, type TestHarness } from './test-harness';
import { createCustomMetricExporter } from '../../observability/custom-metric-exporter';
import { startApiMetricsServer } from '../../observability/api-metrics-server';

/** The real Hono app over the shared Postgres and Temporal, driven through app.request(). */
export function createTestApi(
  harness: TestHarness,
  options: {
    taskQueue: string;
    baseUrls?: Partial<Record<PlatformId, string>>;
    rateLimitPerMinute?: number;
    oauth?: PlatformOAuthDeps;
    /** The API's database (an instrumented one); the harness's otherwise. */
    db?: TestHarness['database']['db'];
    /** Platform quotas the API's reads spend (none unless given), as api/main.ts composes them. */
    quotas?: PlatformQuotas;
    limits?: Partial<ApiLimits>;
    customSeriesPerOrg?: number;
    /** The hosts connectors may reach; the emulators' loopback by default. */
    network?: PlatformNetwork;
    /** The API's Temporal client (the harness's unless given: a client of an unreachable server, say). */
    temporal?: Client;
    /** How long inline Schedule calls wait for Temporal (production's bound unless given: a test of an unreachable server shortens it). */
    scheduleCallTimeoutMs?: number;
    logger?: Logger;
  },
) {
  const jwtSecret = randomBytes(32).toString('hex');
  // The Web UI's decode-only codec credential, as ./scripts/start makes one.
  const codecUiCredential = randomBytes(32).toString('base64url');
  const metrics = new Registry();
  const db = options.db ?? harness.database.db;
  const customMetrics = createCustomMetricExporter({ processRegistry: metrics, maxSeriesPerOrg: options.customSeriesPerOrg });
  const app = createApp({
    db,
    temporal: options.temporal ?? harness.temporal.client,
    taskQueue: options.taskQueue,
    schedules: createConnectionSyncSchedules(options.temporal ?? harness.temporal.client, options.taskQueue, { callTimeoutMs: options.scheduleCallTimeoutMs ?? SCHEDULE_CALL_TIMEOUT_MS }),
    oauth: options.oauth ?? { client: createPlatformOAuthClient({ platforms: {} }), stateTtlSeconds: 600 },
    vault: harness.vault,
    connectors: createPlatformConnectors({ db, metrics, quotas: options.quotas ?? NO_PLATFORM_QUOTAS, baseUrls: options.baseUrls, timeoutMs: 5_000, maxQuotaWaitSeconds: 5, network: options.network ?? EMULATOR_NETWORK }),
    platformNetwork: options.network ?? EMULATOR_NETWORK,
    jwtSecret,
    logger: options.logger ?? createLogger({ name: 'api-test', level: 'silent' }),
    metrics,
    customMetrics,
    payloadCodec: harness.payloadCodec,
    codecCorsOrigins: ['http://127.0.0.1:8233'],
    codecUiCredential,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
    limits: { validationReportMaxAgeMs: 3_600_000, validationsRunningPerOrg: 3, fanOutConcurrency: 8, ...options.limits },
  });

  async function call(method: string, path: string, options: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const response = await app.request(path, { method, headers, body });
    const text = await response.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  /** Scrapes the API's metrics as Prometheus does: over HTTP from the metrics server api/main.ts runs on its own port. */
  async function scrapeMetrics(): Promise<{ status: number; text: string }> {
    const server = await startApiMetricsServer({ metrics, customMetrics, port: 0, hostname: '127.0.0.1' });
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      return { status: response.status, text: await response.text() };
    } finally {
      await server.close();
    }
  }

  return {
    app,
    metrics,
    scrapeMetrics,
    jwtSecret,
    codecUiCredential,
    call,
    token: (orgId: string, role: Role, userId = `${role}-user`, ttlSeconds = 3600) => signAccessToken({ orgId, userId, role }, jwtSecret, ttlSeconds),
    /** A deployment operator's token: no org. */
    operatorToken: (userId = 'operator-user', ttlSeconds = 3600) => signAccessToken({ userId, role: OPERATOR_ROLE }, jwtSecret, ttlSeconds),
  };
}
