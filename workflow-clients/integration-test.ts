import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Connection } from '../db/schema';
import type { IntegrationComponent, IntegrationThresholds } from '../domain/integration-test-report';
import { connectionSearchAttributes, orgSearchAttributes } from '../domain/search-attributes';
import type { DateWindow } from '../domain/sync';
import { integrationTestAllWorkflowId, integrationTestWorkflowId } from '../domain/workflow-ids';
import { type IntegrationTestAllInput, integrationTestAllWorkflow } from '../workflows/integration-test-all';
import { integrationTestSuiteWorkflow } from '../workflows/integration-test-suite';

/*
 * Every request is a run of its own: ids take a fresh run key, so starts never conflict. The handles'
 * results are the stored report (suite) and the children's outcomes (test-all).
 */

/** Starts a connection's integration test suite (the connection's search attributes). */
export function startIntegrationTestSuite(
  client: Client,
  taskQueue: string,
  connection: Pick<Connection, 'id' | 'org_id' | 'platform'>,
  options: { components: IntegrationComponent[]; thresholds?: Partial<IntegrationThresholds>; window?: DateWindow },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof integrationTestSuiteWorkflow>> {
  return client.workflow.start(integrationTestSuiteWorkflow, {
    taskQueue,
    workflowId: integrationTestWorkflowId(connection.id, randomUUID()),
    args: [
      {
        connectionId: connection.id,
        orgId: connection.org_id,
        platform: connection.platform,
        components: options.components,
        thresholds: options.thresholds,
        window: options.window,
      },
    ],
    typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
  });
}

/** Starts a test-all over an org's connections (OrgId and Scope=org; each child suite carries its connection's attributes). */
export function startIntegrationTestAll(
  client: Client,
  taskQueue: string,
  input: IntegrationTestAllInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof integrationTestAllWorkflow>> {
  return client.workflow.start(integrationTestAllWorkflow, {
    taskQueue,
    workflowId: integrationTestAllWorkflowId(input.orgId, randomUUID()),
    args: [input],
    typedSearchAttributes: orgSearchAttributes(input.orgId),
  });
}
