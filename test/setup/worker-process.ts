import { randomBytes } from 'node:crypto';
import { freePort, type ServiceProcess, startServiceProcess, waitFor } from '../../scripts/service-process';
import { testEnv } from './test-env';
import type { TestHarness } from './test-harness';

/**
 * The worker as deployed (workers/main.ts in its own process), on the shared Postgres and Temporal
 * with the harness's keys; `env` adds or overrides settings. Resolves once its /metrics answers.
 */
export async function startWorkerProcess(harness: TestHarness, options: { taskQueue: string; env?: NodeJS.ProcessEnv }): Promise<ServiceProcess> {
  const metricsPort = await freePort();
  const worker = startServiceProcess('workers/main.ts', {
    capture: true,
    env: {
      ...process.env,
      DATABASE_URL: testEnv('databaseUrl'),
      TEMPORAL_ADDRESS: testEnv('temporalAddress'),
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      WORKER_METRICS_PORT: String(metricsPort),
      TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
      CREDENTIALS_KEYS: harness.credentialsKeys,
      PAYLOAD_CODEC_KEYS: harness.payloadCodecKeys,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      // The emulators listen on loopback.
      ALLOW_LOOPBACK_PLATFORM_HOSTS: 'true',
      // Test files share the Temporal server, each with its own codec key: a deployment-wide reconciler
      // started by one file's worker would act on the others' connections.
      SCHEDULE_RECONCILE_INTERVAL_MINUTES: '0',
      ...options.env,
    },
  });
  await waitFor(
    () => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.status),
    (s) => s === 200,
    { timeoutMs: 60_000, what: 'worker up' },
  );
  return worker;
}
