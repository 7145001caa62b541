import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes, randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createKeyRotationActivities } from '../../activities/key-rotation-activities';
import { createMaintenanceActivities } from '../../activities/maintenance-activities';
import { createTokenRefreshActivities } from '../../activities/token-refresh-activities';
import { createPlatformOAuthClient, type PlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';
import { createSyncActivities, type SyncActivityDeps } from '../../activities/sync-activities';
import { createConnectorRegistry } from '../../connectors/registry';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { createSyncMetrics } from '../../observability/sync-metrics';
import { type CredentialVault, createCredentialVault } from '../../security/credential-vault';
import { parseKeyring } from '../../security/keyring';
import { createPayloadCodec } from '../../security/payload-codec';
import type { PayloadCodec } from '@temporalio/common';
import type { PlatformId } from '../../domain/platforms';
import { createConnectWorker } from '../../workers/connect-worker';
import { createConnectionSyncSchedules } from '../../schedules/connection-sync-schedule';
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
  close(): Promise<void>;
}

/** Expected failures (auth errors, cancellations) would otherwise flood the output at WARN. */
function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this module registry
  }
}

export async function openTestHarness(): Promise<TestHarness> {
  installQuietRuntime();
  const database = createDatabase(testEnv('databaseUrl'), { max: 5 });
  const payloadCodecKeys = `p1:${randomBytes(32).toString('base64')}`;
  const payloadCodec = await createPayloadCodec(parseKeyring(payloadCodecKeys, 'PAYLOAD_CODEC_KEYS'));
  const temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: testEnv('temporalAddress'), client: { dataConverter: { payloadCodecs: [payloadCodec] } } });
  const credentialsKeys = `v1:${randomBytes(32).toString('base64')}`;
  return {
    database,
    temporal,
    payloadCodec,
    payloadCodecKeys,
    vault: await createCredentialVault(parseKeyring(credentialsKeys)),
    credentialsKeys,
    async close() {
      await temporal.teardown();
      await database.close();
    },
  };
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A real worker on its own task queue, with real activities over the given dependencies. */
export async function startTestSyncWorker(
  harness: TestHarness,
  options: {
    taskQueue: string;
    baseUrls?: Partial<Record<PlatformId, string>>;
    settings?: Partial<SyncActivityDeps['settings']>;
    vault?: CredentialVault;
    refreshCredentials?: SyncActivityDeps['refreshCredentials'];
    /** The platforms' OAuth clients, for token refresh activities. */
    oauth?: PlatformOAuthClient;
  },
) {
  const metricsRegistry = new Registry();
  const syncActivities = createSyncActivities({
    db: harness.database.db,
    pool: harness.database.pool,
    vault: options.vault ?? harness.vault,
    connectors: createConnectorRegistry({ baseUrls: options.baseUrls, timeoutMs: 5_000 }),
    metrics: createSyncMetrics(metricsRegistry),
    settings: { defaultWindowDays: 30, chunkBudgetMs: 5_000, ...options.settings },
    refreshCredentials: options.refreshCredentials,
    schedules: createConnectionSyncSchedules(harness.temporal.client, options.taskQueue),
  });
  const activities = {
    ...syncActivities,
    ...createKeyRotationActivities({ db: harness.database.db, vault: options.vault ?? harness.vault }),
    ...createMaintenanceActivities({ db: harness.database.db }),
    ...createTokenRefreshActivities({ db: harness.database.db, vault: options.vault ?? harness.vault, oauth: options.oauth ?? createPlatformOAuthClient({ platforms: {} }), settings: {} }),
  };
  const worker = await createConnectWorker({
    connection: harness.temporal.nativeConnection,
    namespace: 'default',
    taskQueue: options.taskQueue,
    activities,
    dataConverter: { payloadCodecs: [harness.payloadCodec] },
    workflowBundlePath: testEnv('workflowBundle'),
  });
  const running = worker.run();
  return {
    worker,
    metricsRegistry,
    /** Stops the worker and waits until it has drained. */
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
