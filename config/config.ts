import { resolve } from 'node:path';
import { z } from 'zod';
import { PLATFORM_IDS, type PlatformId } from '../domain/platforms';
import { type Keyring, parseKeyring } from '../security/keyring';
import { loadOAuthConfig, type OAuthConfig } from './oauth-platforms';
import { loadPlatformQuotas } from './platform-quotas-config';
import type { PlatformQuotas } from '../domain/platform-quotas';
import { readOrCreateDevSecret } from './dev-secret-file';

/** All configuration, parsed and validated once from the environment. */
const EnvSchema = z
  .object({
    DATA_DIR: z.string().optional(),
    DATABASE_URL: z.string().url().optional(),
    EMBEDDED_POSTGRES_PORT: z.coerce.number().int().positive().default(54329),
    TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('liftos-connect'),
    // The dev server ./scripts/start runs when TEMPORAL_ADDRESS is not set.
    TEMPORAL_DEV_SERVER_PORT: z.coerce.number().int().positive().default(7233),
    TEMPORAL_UI_PORT: z.coerce.number().int().positive().default(8233),
    PORT: z.coerce.number().int().nonnegative().default(8080),
    WORKER_METRICS_PORT: z.coerce.number().int().nonnegative().default(9464),
    API_METRICS_PORT: z.coerce.number().int().nonnegative().default(9466),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    TEMPORAL_SDK_METRICS_PORT: z.coerce.number().int().positive().default(9465),
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
    CREDENTIALS_KEYS: z.string().optional(),
    CREDENTIALS_KEY: z.string().optional(),
    PAYLOAD_CODEC_KEYS: z.string().optional(),
    CODEC_CORS_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233'),
    CODEC_UI_CREDENTIAL: z.string().min(32, 'CODEC_UI_CREDENTIAL must be at least 32 characters').optional(),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    SYNC_DEFAULT_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(100_000).optional(),
    MEMORY_SERVICE_URL: z.string().url().optional(),
    MEMORY_HANDOFF_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    ALERT_WEBHOOK_URL: z.string().url().optional(),
    ALERT_WEBHOOK_SECRET: z.string().min(16, 'ALERT_WEBHOOK_SECRET must be at least 16 characters').optional(),
    METRIC_SAMPLE_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    METRIC_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
    CUSTOM_METRIC_SERIES_PER_ORG: z.coerce.number().int().min(1).max(100_000).default(1_000),
    SCHEDULE_RECONCILE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(1440).default(5),
    SYNC_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(365).default(7),
    SYNC_FAILURE_WARNING_AFTER: z.coerce.number().int().min(1).default(3),
    SYNC_FAILURE_DISABLE_AFTER: z.coerce.number().int().min(1).default(6),
    // How long a sync's paging may go without a heartbeat before a dead worker's attempt is retried elsewhere.
    SYNC_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(600).default(30),
    NOTIFICATION_WEBHOOK_URL: z.string().url().optional(),
    PLATFORM_QUOTAS: z.string().optional(),
    VALIDATION_REPORT_MAX_AGE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(3600),
    VALIDATIONS_RUNNING_PER_ORG: z.coerce.number().int().min(1).max(1000).default(3),
    API_FAN_OUT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    API_QUOTA_MAX_WAIT_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
    API_RUN_WAIT_SECONDS: z.coerce.number().int().min(1).max(300).default(60),
    ALLOW_LOOPBACK_PLATFORM_HOSTS: z.enum(['true', 'false']).default('false'),
    // A pre-built workflow bundle (./scripts/start builds one so a restarted worker starts fast); absent: the worker bundles workflows/.
    WORKFLOW_BUNDLE_PATH: z.string().optional(),
  })
  .refine((e) => !e.ALERT_WEBHOOK_URL || e.ALERT_WEBHOOK_SECRET, {
    message: 'ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set',
    path: ['ALERT_WEBHOOK_SECRET'],
  })
  .refine((e) => e.SYNC_FAILURE_DISABLE_AFTER > e.SYNC_FAILURE_WARNING_AFTER, {
    message: 'must be greater than SYNC_FAILURE_WARNING_AFTER',
    path: ['SYNC_FAILURE_DISABLE_AFTER'],
  });

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  embeddedPostgresPort: number;
  temporal: { address: string; namespace: string; taskQueue: string };
  /** Ports of the Temporal dev server ./scripts/start runs when TEMPORAL_ADDRESS is not set. */
  temporalDevServer: { port: number; uiPort: number };
  apiPort: number;
  /** Requests a minute each API token may make. */
  rateLimitPerMinute: number;
  workerMetricsPort: number;
  /** The API's own /metrics port (never the public PORT: custom series carry org ids). */
  apiMetricsPort: number;
  /** Where the API's and the worker's metrics servers listen: loopback unless Prometheus scrapes from elsewhere (compose: 0.0.0.0). */
  metricsHost: string;
  /** Loopback port of the Temporal SDK's own Prometheus exporter; the worker's /metrics merges it in. */
  sdkMetricsPort: number;
  jwtSecret: string;
  /**
   * Master keys of the credential vault: CREDENTIALS_KEYS ("v2:<base64>,v1:<base64>", first current),
   * else CREDENTIALS_KEY as the single version v1, else a generated development key (v1).
   */
  credentialsKeys: { spec: string; keyring: Keyring };
  /** Keys of the payload codec that encrypts Temporal payloads: PAYLOAD_CODEC_KEYS, else a generated development key. */
  payloadCodecKeys: { spec: string; keyring: Keyring };
  /** Web UI origins allowed to call the codec server. */
  codecCorsOrigins: string[];
  /** The Web UI's decode-only codec credential (CODEC_UI_CREDENTIAL; ./scripts/start makes a new one each start); none: no path-credential codec endpoint. */
  codecUiCredential?: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  sync: { defaultWindowDays: number; pageSize: number | undefined };
  /** Incremental sync and the failure policy (see db/sync-failure-policy.ts). */
  syncPolicy: { lookbackDays: number; failureWarningAfter: number; failureDisableAfter: number; heartbeatTimeoutSeconds: number };
  workflowBundlePath: string | undefined;
  /** Where notifications (a connection disabled by the failure policy) are POSTed; unset, they stay in the table. */
  notificationWebhookUrl: string | undefined;
  /** Per-platform API roots from `<PLATFORM>_BASE_URL` (e.g. META_BUSINESS_BASE_URL), for emulators and sandboxes. */
  platformBaseUrls: Partial<Record<PlatformId, string>>;
  /** Per-platform OAuth 2.0 settings (`<PLATFORM>_OAUTH_*`), state lifetime and refresh skew. */
  oauth: OAuthConfig;
  /** Where completed syncs hand their records (MEMORY_SERVICE_URL; unset: no hand-off) and how many metric rows go in one batch. */
  memory: { serviceUrl: string | undefined; batchSize: number };
  /** Alert notifications (ALERT_WEBHOOK_URL, signed with ALERT_WEBHOOK_SECRET) and the metric time series' sampling and retention. */
  monitoring: {
    webhookUrl: string | undefined;
    webhookSecret: string | undefined;
    sampleIntervalSeconds: number;
    retentionDays: number;
    customSeriesPerOrg: number;
  };
  /** How often the connection Schedule reconciler runs (SCHEDULE_RECONCILE_INTERVAL_MINUTES; 0: workers do not create its Schedule). */
  scheduleReconciliation: { intervalMinutes: number };
  /** Each platform's request quotas the workers share: the documented defaults, overridden by PLATFORM_QUOTAS (JSON). */
  platformQuotas: PlatformQuotas;
  /** What one org's API requests may set off (see api/app-deps.ts ApiLimits), and how long an API read waits for a quota token. */
  apiLimits: {
    validationReportMaxAgeSeconds: number;
    validationsRunningPerOrg: number;
    fanOutConcurrency: number;
    quotaMaxWaitSeconds: number;
    runWaitSeconds: number;
  };
  /**
   * ALLOW_LOOPBACK_PLATFORM_HOSTS: platform hosts (base URLs, and hosts credentials name) may be loopback, over plain
   * http too. A development setting, for emulators; off, only public https hosts are reached (connectors/platform-network.ts).
   */
  allowLoopbackPlatformHosts: boolean;
}

function keyring(envName: string, spec: string): { spec: string; keyring: Keyring } {
  try {
    return { spec, keyring: parseKeyring(spec, envName) };
  } catch (err) {
    throw new Error(`Invalid configuration: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, warn: (message: string) => void = (m) => console.warn(m)): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR ?? resolve(__dirname, '..', '.data'));
  const platformBaseUrls: Partial<Record<PlatformId, string>> = {};
  for (const platform of PLATFORM_IDS) {
    const url = env[`${platform.toUpperCase()}_BASE_URL`];
    if (url) platformBaseUrls[platform] = url;
  }
  return {
    dataDir,
    databaseUrl: e.DATABASE_URL,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    temporalDevServer: { port: e.TEMPORAL_DEV_SERVER_PORT, uiPort: e.TEMPORAL_UI_PORT },
    apiPort: e.PORT,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    apiMetricsPort: e.API_METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    sdkMetricsPort: e.TEMPORAL_SDK_METRICS_PORT,
    jwtSecret: e.JWT_SECRET ?? readOrCreateDevSecret(resolve(dataDir, 'jwt-secret'), 'JWT_SECRET', warn),
    credentialsKeys: keyring(
      'CREDENTIALS_KEYS',
      e.CREDENTIALS_KEYS ?? `v1:${e.CREDENTIALS_KEY ?? readOrCreateDevSecret(resolve(dataDir, 'credentials.key'), 'CREDENTIALS_KEY', warn)}`,
    ),
    payloadCodecKeys: keyring(
      'PAYLOAD_CODEC_KEYS',
      e.PAYLOAD_CODEC_KEYS ?? `p1:${readOrCreateDevSecret(resolve(dataDir, 'payload-codec.key'), 'PAYLOAD_CODEC_KEYS', warn)}`,
    ),
    codecCorsOrigins: e.CODEC_CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    codecUiCredential: e.CODEC_UI_CREDENTIAL,
    logLevel: e.LOG_LEVEL,
    sync: { defaultWindowDays: e.SYNC_DEFAULT_WINDOW_DAYS, pageSize: e.SYNC_PAGE_SIZE },
    platformBaseUrls,
    oauth: loadOAuthConfig(env),
    memory: { serviceUrl: e.MEMORY_SERVICE_URL, batchSize: e.MEMORY_HANDOFF_BATCH_SIZE },
    monitoring: {
      webhookUrl: e.ALERT_WEBHOOK_URL,
      webhookSecret: e.ALERT_WEBHOOK_SECRET,
      sampleIntervalSeconds: e.METRIC_SAMPLE_INTERVAL_SECONDS,
      retentionDays: e.METRIC_RETENTION_DAYS,
      customSeriesPerOrg: e.CUSTOM_METRIC_SERIES_PER_ORG,
    },
    syncPolicy: {
      lookbackDays: e.SYNC_LOOKBACK_DAYS,
      failureWarningAfter: e.SYNC_FAILURE_WARNING_AFTER,
      failureDisableAfter: e.SYNC_FAILURE_DISABLE_AFTER,
      heartbeatTimeoutSeconds: e.SYNC_HEARTBEAT_TIMEOUT_SECONDS,
    },
    notificationWebhookUrl: e.NOTIFICATION_WEBHOOK_URL,
    platformQuotas: loadPlatformQuotas(e.PLATFORM_QUOTAS),
    apiLimits: {
      validationReportMaxAgeSeconds: e.VALIDATION_REPORT_MAX_AGE_SECONDS,
      validationsRunningPerOrg: e.VALIDATIONS_RUNNING_PER_ORG,
      fanOutConcurrency: e.API_FAN_OUT_CONCURRENCY,
      quotaMaxWaitSeconds: e.API_QUOTA_MAX_WAIT_SECONDS,
      runWaitSeconds: e.API_RUN_WAIT_SECONDS,
    },
    allowLoopbackPlatformHosts: e.ALLOW_LOOPBACK_PLATFORM_HOSTS === 'true',
    scheduleReconciliation: { intervalMinutes: e.SCHEDULE_RECONCILE_INTERVAL_MINUTES },
    workflowBundlePath: e.WORKFLOW_BUNDLE_PATH,
  };
}
