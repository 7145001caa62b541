import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { z } from 'zod';
import { Count } from '../response-schemas';

/** Temporal's statuses of a workflow run, lower-cased. */
const RUN_STATUSES = [
  'running',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'continued_as_new',
  'timed_out',
  'paused',
  'unspecified',
  'unknown',
] as const;

const RunStatus = z.enum(RUN_STATUSES satisfies readonly Lowercase<WorkflowExecutionStatusName>[]);

/** The last (or running) key rotation: its status and, when a worker answers or it has finished, its progress. */
export const KeyRotationStatusResponse = z.object({
  status: RunStatus,
  progress_available: z.boolean(),
  workflow_id: z.string(),
  run_id: z.string(),
  target_version: z.string().nullable(),
  batches: Count,
  rewrapped: Count,
  failed_connection_ids: z.array(z.string()),
});
