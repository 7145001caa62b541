import type { Kysely } from 'kysely';
import { deleteExpiredOAuthStates } from '../db/repositories/expired-oauth-states';
import type { Database } from '../db/schema';

export function createMaintenanceActivities(deps: { db: Kysely<Database>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async purgeExpiredOAuthStates(): Promise<{ deleted: number }> {
      return { deleted: await deleteExpiredOAuthStates(deps.db, now()) };
    },
  };
}

export type MaintenanceActivities = ReturnType<typeof createMaintenanceActivities>;
