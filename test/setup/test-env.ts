import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PostgresServer } from '../../db/postgres-server';

/** Environment variables through which global setup hands the shared infrastructure to test files. */
export const TEST_ENV = {
  databaseUrl: 'LIFTOS_TEST_DATABASE_URL',
  temporalAddress: 'LIFTOS_TEST_TEMPORAL_ADDRESS',
  workflowBundle: 'LIFTOS_TEST_WORKFLOW_BUNDLE',
  dataDir: 'LIFTOS_TEST_DATA_DIR',
} as const;

export interface SharedTestInfra {
  postgres: PostgresServer;
  temporal: TestWorkflowEnvironment;
}

export function testEnv(name: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[name]];
  if (!value) throw new Error(`${TEST_ENV[name]} is not set: run the tests through jest (its global setup starts the infrastructure)`);
  return value;
}
