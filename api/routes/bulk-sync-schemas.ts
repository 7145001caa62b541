import { z } from 'zod';
import { Count } from '../response-schemas';

/** The bulk sync workflow started over the active connections named; the inactive ones are skipped. */
export const BulkSyncStartedResponse = z.object({ workflow_id: z.string(), run_id: z.string(), connections: Count, skipped_inactive: Count });
