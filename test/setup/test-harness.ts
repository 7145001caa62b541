import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes, randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { RolloutRollbacks } from '../../activities/alert-evaluation-activities';
import type { IntegrationTestSettings } from '../../activities/integration-test-activities';
import type { MemoryHandoffActivityDeps } from '../../activities/memory-handoff-activities';
import type { SyncActivityDeps } from '../../activities/sync-activities';
import { createWorkerActivities, type WorkerSettings, workerSettingsFrom } from '../../composition/worker-activities';
import { type Config, loadConfig } from '../../config/config';
import type { PlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';
import type { PlatformRequestLimiter } from '../../connectors/quota-limited-registry';
import type { ConnectorRegistry } from '../../connectors/registry';
import type { AlertRule } from '../../domain/alert-rules';
import type { PlatformQuotas } from '../../domain/platform-quotas';
import { PLATFORM_IDS } from '../../domain/platforms';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { PLATFORM_REQUEST_DURATION_METRIC } from '../../domain/metric-sample';
import { startMetricSampler } from '../../observability/metric-sampler';
import { type CredentialVault, createCredentialVault } from '../../security/credential-vault';
import { createDataConverter } from '../../security/payload-codec';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { PlatformId } from '../../domain/platforms';
import { createConnectWorker } from '../../workers/connect-worker';
import { testEnv } from './test-env';

/** What a test file needs: the shared Postgres and Temporal server, a vault, and fresh names. */
export interface TestHarness {
  database: DatabaseHandle;
  temporal: TestWorkflowEnvironment;
  vault: CredentialVault;
  /** CREDENTIALS_KEYS of the vault, for processes the test starts. */
  credentialsKeys: string;
  /** The payload codec every client and worker of the test uses, and its PAYLOAD_CODEC_KEYS. */
  payloadCodec: PayloadCodec;
  payloadCodecKeys: string;
  /** The data converter (codec and failure converter) of every client and worker of the test. */
  dataConverter: DataConverter;
  /**
   * The test deployment's configuration, loaded by config/config.ts as a deployment's is: the test
   * worker and API map it to their settings with composition/'s functions, as the processes do.
   */
  config: Config;
  close(): Promise<void>;
}

/** Expected failures (auth errors, cancellations) would otherwise flood the output at WARN. */
export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this module registry
  }
}

export async function openTestHarness(options: { payloadCodecKeys?: string } = {}): Promise<TestHarness> {
  installQuietRuntime();
  // A fixed key only where a test must decode payloads across runs (recorded replay histories).
  const payloadCodecKeys = options.payloadCodecKeys ?? `p1:${randomBytes(32).toString('base64')}`;
  const credentialsKeys = `v1:${randomBytes(32).toString('base64')}`;
  const config = testConfig({ credentialsKeys, payloadCodecKeys });
  const database = createDatabase(config.databaseUrl!, { max: 5 });
  const dataConverter = await createDataConverter(config.payloadCodecKeys.keyring);
  const payloadCodec = dataConverter.payloadCodecs[0];
  const temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: config.temporal.address, client: { dataConverter } });
  return {
    config,
    database,
    temporal,
    payloadCodec,
    payloadCodecKeys,
    dataConverter,
    vault: await createCredentialVault(config.credentialsKeys.keyring),
    credentialsKeys,
    async close() {
      await temporal.teardown();
      await database.close();
    },
  };
}

/** Quotas of no platform: the limiter admits every request without a bucket. */
export const NO_PLATFORM_QUOTAS: PlatformQuotas = Object.fromEntries(PLATFORM_IDS.map((p) => [p, []])) as unknown as PlatformQuotas;

/**
 * The environment of a deployment on the shared test Postgres and Temporal: every default of
 * config/config.ts except what the tests need (the emulators on loopback hosts, no platform quotas
 * unless a test gives some, a per-token rate limit no test reaches).
 */
function testConfig(keys: { credentialsKeys: string; payloadCodecKeys: string }): Config {
  const env = {
    DATABASE_URL: testEnv('databaseUrl'),
    TEMPORAL_ADDRESS: testEnv('temporalAddress'),
    WORKFLOW_BUNDLE_PATH: testEnv('workflowBundle'),
    CREDENTIALS_KEYS: keys.credentialsKeys,
    PAYLOAD_CODEC_KEYS: keys.payloadCodecKeys,
    JWT_SECRET: randomBytes(32).toString('hex'),
    // The Web UI's decode-only codec credential, as ./scripts/start makes one.
    CODEC_UI_CREDENTIAL: randomBytes(32).toString('base64url'),
    CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233',
    ALLOW_LOOPBACK_PLATFORM_HOSTS: 'true',
    PLATFORM_QUOTAS: JSON.stringify(NO_PLATFORM_QUOTAS),
    RATE_LIMIT_PER_MINUTE: '10000',
  };
  // Every secret is given: a test must never generate development secret files.
  return loadConfig(env, (message) => {
    throw new Error(`test configuration: ${message}`);
  });
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface TestWorkerOptions {
  taskQueue: string;
  baseUrls?: Partial<Record<PlatformId, string>>;
  settings?: Partial<SyncActivityDeps['settings']>;
  vault?: CredentialVault;
  refreshCredentials?: SyncActivityDeps['refreshCredentials'];
  /** The platforms' OAuth clients, for token refresh activities. */
  oauth?: PlatformOAuthClient;
  tokenRefresh?: WorkerSettings['tokenRefresh'];
  /** Replaces the live connectors under the quotas and timing (built from `baseUrls` otherwise). */
  connectors?: ConnectorRegistry;
  /** The Memory Service hand-off; skipped (no URL) unless given. */
  memory?: Partial<MemoryHandoffActivityDeps['settings']>;
  /** Settings of the integration test activities (probe requests, pages, page size). */
  integrationTests?: Partial<IntegrationTestSettings>;
  /** The alert evaluation's rules, rollout signal and webhook (the defaults, the real signal and no webhook unless given). */
  alerting?: { rules?: readonly AlertRule[]; rollbacks?: RolloutRollbacks; webhook?: WorkerSettings['alerting']['webhook'] };
  /** The activities' clock (today's date decides incremental windows). */
  now?: () => Date;
  notificationWebhookUrl?: string;
  /** Live page requests spend through this limiter (the Postgres limiter over `quotas` otherwise). */
  limiter?: PlatformRequestLimiter;
  /** Platform quotas of the Postgres limiter (none unless given; `limiter` replaces it). */
  quotas?: PlatformQuotas;
}

/**
 * The activities workers/main.ts runs, built by the same composition/ function from the harness's
 * configuration; a test replaces only what its options name.
 */
export function createTestWorkerActivities(harness: TestHarness, options: TestWorkerOptions) {
  const metricsRegistry = new Registry();
  const defaults = workerSettingsFrom(harness.config);
  const settings: WorkerSettings = {
    ...defaults,
    taskQueue: options.taskQueue,
    sync: { ...defaults.sync, ...options.settings },
    connectors: {
      ...defaults.connectors,
      baseUrls: { ...defaults.connectors.baseUrls, ...options.baseUrls },
      quotas: options.quotas ?? defaults.connectors.quotas,
      // A hung emulator fails its test in seconds, not after the connectors' 30.
      timeoutMs: 5_000,
    },
    tokenRefresh: options.tokenRefresh ?? defaults.tokenRefresh,
    memory: { ...defaults.memory, ...options.memory },
    notificationWebhookUrl: options.notificationWebhookUrl ?? defaults.notificationWebhookUrl,
    alerting: { ...defaults.alerting, webhook: options.alerting?.webhook ?? defaults.alerting.webhook },
    integrationTests: options.integrationTests ?? defaults.integrationTests,
  };
  const activities = createWorkerActivities(
    {
      db: harness.database.db,
      pool: harness.database.pool,
      vault: options.vault ?? harness.vault,
      temporal: harness.temporal.client,
      metrics: metricsRegistry,
    },
    settings,
    {
      now: options.now,
      baseConnectors: options.connectors,
      limiter: options.limiter,
      oauth: options.oauth,
      refreshCredentials: options.refreshCredentials,
      rollbacks: options.alerting?.rollbacks,
      alertRules: options.alerting?.rules,
    },
  );
  return { activities, metricsRegistry };
}

/** A real worker on its own task queue, running every workflow over the activities production composes. */
export async function startTestSyncWorker(
  harness: TestHarness,
  options: TestWorkerOptions & {
    /**
     * Writes the worker's platform request timings to metric_samples this often, as workers/main.ts's
     * sampler does (only that metric: other test files read the table's sync and alert series).
     */
    platformRequestSampleMs?: number;
  },
) {
  const { activities, metricsRegistry } = createTestWorkerActivities(harness, options);
  const worker = await createConnectWorker({
    connection: harness.temporal.nativeConnection,
    namespace: harness.config.temporal.namespace,
    taskQueue: options.taskQueue,
    activities,
    dataConverter: harness.dataConverter,
    workflowBundlePath: harness.config.workflowBundlePath,
  });
  const running = worker.run();
  const sampler = options.platformRequestSampleMs
    ? startMetricSampler({
        registry: metricsRegistry,
        db: harness.database.db,
        source: 'worker',
        intervalMs: options.platformRequestSampleMs,
        include: (name) => name === PLATFORM_REQUEST_DURATION_METRIC,
      })
    : null;
  return {
    worker,
    metricsRegistry,
    /** Stops the worker and waits until it has drained. */
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await sampler?.stop();
    },
  };
}
