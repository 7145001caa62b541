import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type { KeyRotationActivities } from '../activities/key-rotation-activities';
import type { MaintenanceActivities } from '../activities/maintenance-activities';
import type { TokenRefreshActivities } from '../activities/token-refresh-activities';
import type { SyncActivities } from '../activities/sync-activities';
import type { SourceFallbackActivities } from '../activities/source-fallback-activities';
import type { MemoryHandoffActivities } from '../activities/memory-handoff-activities';
import type { ValidationActivities } from '../activities/validation-activities';
import type { AlertEvaluationActivities } from '../activities/alert-evaluation-activities';
import type { NotificationActivities } from '../activities/notification-activities';
import type { RolloutActivities } from '../activities/rollout-activities';
import type { IntegrationTestActivities } from '../activities/integration-test-activities';
import type { ScheduleReconciliationActivities } from '../activities/schedule-reconciliation-activities';
import type { DataRetentionActivities } from '../activities/data-retention-activities';

/** Every activity the workflows of this project call (built by composition/worker-activities.ts). */
export type ConnectActivities = SyncActivities &
  KeyRotationActivities &
  MaintenanceActivities &
  ScheduleReconciliationActivities &
  TokenRefreshActivities &
  SourceFallbackActivities &
  MemoryHandoffActivities &
  ValidationActivities &
  AlertEvaluationActivities &
  NotificationActivities &
  RolloutActivities &
  IntegrationTestActivities &
  DataRetentionActivities;

export interface ConnectWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ConnectActivities;
  /** Carries the payload codec: workers and clients must encode alike. */
  dataConverter: DataConverter;
  /** A pre-built workflow bundle (tests and benchmarks bundle once); the worker bundles `workflows/` otherwise. */
  workflowBundlePath?: string;
}

/** The worker that runs every workflow of this project. Free of configuration loading: callers compose it. */
export function createConnectWorker(options: ConnectWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    activities: options.activities,
    dataConverter: options.dataConverter,
    // Cancellation reaches an activity on its next heartbeat; keep that under a couple of seconds.
    maxHeartbeatThrottleInterval: '2 seconds',
    shutdownGraceTime: '10 seconds',
  });
}
