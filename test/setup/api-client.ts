import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Registry } from 'prom-client';
import { createApp } from '../../api/app';
import type { PlatformOAuthDeps } from '../../api/oauth/platform-oauth-deps';
import { createPlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';
import { createConnectionSyncSchedules } from '../../schedules/connection-sync-schedule';
import type { PlatformId } from '../../domain/platforms';
import { createConnectorRegistry } from '../../connectors/registry';
import { createLogger, type Logger } from '../../observability/logger';
import { OPERATOR_ROLE, type Role, signAccessToken } from '../../security/access-token';
import type { TestHarness } from './test-harness';
import { createCustomMetricExporter } from '../../observability/custom-metric-exporter';

/** The real Hono app over the shared Postgres and Temporal, driven through app.request(). */
export function createTestApi(
  harness: TestHarness,
  options: { taskQueue: string; baseUrls?: Partial<Record<PlatformId, string>>; rateLimitPerMinute?: number; oauth?: PlatformOAuthDeps; logger?: Logger; temporal?: Client },
) {
  const jwtSecret = randomBytes(32).toString('hex');
  // The Web UI's decode-only codec credential, as ./scripts/start makes one.
  const codecUiCredential = randomBytes(32).toString('base64url');
  const metrics = new Registry();
  const app = createApp({
    db: harness.database.db,
    temporal: options.temporal ?? harness.temporal.client,
    taskQueue: options.taskQueue,
    schedules: createConnectionSyncSchedules(harness.temporal.client, options.taskQueue),
    oauth: options.oauth ?? { client: createPlatformOAuthClient({ platforms: {} }), stateTtlSeconds: 600 },
    vault: harness.vault,
    connectors: createConnectorRegistry({ baseUrls: options.baseUrls, timeoutMs: 5_000 }),
    jwtSecret,
    logger: options.logger ?? createLogger({ name: 'api-test', level: 'silent' }),
    metrics,
    customMetrics: createCustomMetricExporter({ processRegistry: metrics }),
    payloadCodec: harness.payloadCodec,
    codecCorsOrigins: ['http://127.0.0.1:8233'],
    codecUiCredential,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
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

  return {
    app,
    metrics,
    jwtSecret,
    codecUiCredential,
    call,
    token: (orgId: string, role: Role, userId = `${role}-user`, ttlSeconds = 3600) => signAccessToken({ orgId, userId, role }, jwtSecret, ttlSeconds),
    /** A deployment operator's token: no org. */
    operatorToken: (userId = 'operator-user', ttlSeconds = 3600) => signAccessToken({ userId, role: OPERATOR_ROLE }, jwtSecret, ttlSeconds),
  };
}
