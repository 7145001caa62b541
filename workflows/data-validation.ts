import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createValidationActivities } from '../activities/validation-activities';
import { NON_RETRYABLE_FAILURES } from '../domain/errors';
import type { DataSource } from '../domain/connection';
import type { PlatformId } from '../domain/platforms';
import type { ValidationReport } from '../domain/validation-report';

type ValidationActivities = ReturnType<typeof createValidationActivities>;

export interface ValidationInput {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  /** Which rows to judge: the API asks for live unless its caller asks for mock; absent (the daily run), the source serving the connection. */
  source?: DataSource;
}

/** Validation of one connection is a few set-based queries: seconds even for a million rows. */
const VALIDATING: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
  },
};

const validating = proxyActivities<ValidationActivities>(VALIDATING);

/** Validates one connection's synced data and stores the report (data_validation_reports); returns it. */
export async function validationWorkflow(input: ValidationInput): Promise<ValidationReport> {
  const { workflowId, runId } = workflowInfo();
  return validating.validateConnection({ connectionId: input.connectionId, workflowId, runId, source: input.source });
}
