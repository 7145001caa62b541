import { proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createMaintenanceActivities } from '../activities/maintenance-activities';

type MaintenanceActivities = ReturnType<typeof createMaintenanceActivities>;

const CLEANUP: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } };
const maintenance = proxyActivities<MaintenanceActivities>(CLEANUP);

/** Run by the `oauth-state-cleanup` Schedule: removes OAuth states that have expired. */
export async function oauthStateCleanupWorkflow(): Promise<{ deleted: number }> {
  return maintenance.purgeExpiredOAuthStates();
}
