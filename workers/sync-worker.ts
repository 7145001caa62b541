import { type NativeConnection, Worker } from '@temporalio/worker';
import type { SyncActivities } from '../activities/sync-activities';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: SyncActivities;
  /** A pre-built workflow bundle (tests and benchmarks bundle once); the worker bundles `workflows/` otherwise. */
  workflowBundlePath?: string;
}

/** The worker that runs connection syncs. Deliberately free of configuration loading: callers compose it. */
export function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    activities: options.activities,
    // Cancellation reaches an activity on its next heartbeat; keep that under a couple of seconds.
    maxHeartbeatThrottleInterval: '2 seconds',
    shutdownGraceTime: '10 seconds',
  });
}
