import type { Client } from '@temporalio/client';
import { Registry } from 'prom-client';
import { createApp } from '../../api/app';
import type { PlatformOAuthDeps } from '../../api/oauth/platform-oauth-deps';
import { apiSettingsFrom, createApiDeps } from '../../composition/api-deps';
import type { PlatformId } from '../../domain/platforms';
import type { PlatformQuotas } from '../../domain/platform-quotas';
import type { ApiLimits } from '../../api/app-deps';
import type { PlatformNetwork } from '../../connectors/platform-network';
import { createLogger, type Logger } from '../../observability/logger';
import { OPERATOR_ROLE, type Role, signAccessToken } from '../../security/access-token';
import type { TestHarness } from './test-harness';
import { startApiMetricsServer } from '../../observability/api-metrics-server';
import { createContractChecker } from './api-contract';
import type { ApiDocument } from '../../api/openapi/api-document';

/** The real Hono app over the shared Postgres and Temporal, its dependencies built as api/main.ts builds them, driven through app.request(). */
export function createTestApi(
  harness: TestHarness,
  options: {
    taskQueue: string;
    baseUrls?: Partial<Record<PlatformId, string>>;
    rateLimitPerMinute?: number;
    oauth?: PlatformOAuthDeps;
    /** The API's database (an instrumented one); the harness's otherwise. */
    db?: TestHarness['database']['db'];
    /** Platform quotas the API's reads spend (none unless given). */
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
  const defaults = apiSettingsFrom(harness.config);
  const settings = {
    ...defaults,
    taskQueue: options.taskQueue,
    connectors: {
      ...defaults.connectors,
      baseUrls: { ...defaults.connectors.baseUrls, ...options.baseUrls },
      quotas: options.quotas ?? defaults.connectors.quotas,
      network: options.network ?? defaults.connectors.network,
      // A hung emulator fails its test in seconds, not after the connectors' 30.
      timeoutMs: 5_000,
    },
    scheduleCallTimeoutMs: options.scheduleCallTimeoutMs ?? defaults.scheduleCallTimeoutMs,
    rateLimitPerMinute: options.rateLimitPerMinute ?? defaults.rateLimitPerMinute,
    limits: { ...defaults.limits, ...options.limits },
    customSeriesPerOrg: options.customSeriesPerOrg ?? defaults.customSeriesPerOrg,
  };
  const metrics = new Registry();
  const deps = createApiDeps(
    {
      db: options.db ?? harness.database.db,
      temporal: options.temporal ?? harness.temporal.client,
      vault: harness.vault,
      payloadCodec: harness.payloadCodec,
      metrics,
      logger: options.logger ?? createLogger({ name: 'api-test', level: 'silent' }),
    },
    settings,
    { oauth: options.oauth },
  );
  const { jwtSecret, codecUiCredential, customMetrics } = deps;
  const app = createApp(deps);

  // Every answer of every API test is checked against the API's own OpenAPI document.
  const contract = createContractChecker(async () => (await app.request('/openapi.json')).json() as Promise<ApiDocument>);

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
    const answer = { status: response.status, headers: response.headers, json, text };
    await contract.check(method, path, answer);
    return answer;
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
    contract,
    token: (orgId: string, role: Role, userId = `${role}-user`, ttlSeconds = 3600) => signAccessToken({ orgId, userId, role }, jwtSecret, ttlSeconds),
    /** A deployment operator's token: no org. */
    operatorToken: (userId = 'operator-user', ttlSeconds = 3600) => signAccessToken({ userId, role: OPERATOR_ROLE }, jwtSecret, ttlSeconds),
  };
}
