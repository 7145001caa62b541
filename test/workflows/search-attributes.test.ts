import { randomBytes, randomUUID } from 'node:crypto';
import { Client, ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { startTokenRefreshWorkflow } from '../../workflow-clients/token-refresh';
import type { Connection } from '../../db/schema';
import { ConnectionIdKey, OrgIdKey, PlatformKey, ScopeKey } from '../../domain/search-attributes';
import { connectionSyncScheduleId, connectionSyncWorkflowId, dataValidationWorkflowId, integrationTestWorkflowId } from '../../domain/workflow-ids';
import { ensureAlertEvaluationSchedule } from '../../schedules/alert-evaluation-schedule';
import { ensureConnectionScheduleReconciliationSchedule } from '../../schedules/connection-schedule-reconciliation-schedule';
import { ensureDataRetentionSchedule } from '../../schedules/data-retention-schedule';
import { ensureDataValidationSchedule } from '../../schedules/data-validation-schedule';
import { ensureOAuthStateCleanupSchedule } from '../../schedules/oauth-state-cleanup-schedule';
import { waitFor } from '../../scripts/service-process';
import { parseKeyring } from '../../security/keyring';
import { createDataConverter } from '../../security/payload-codec';
import * as workflows from '../../workflows';
import { alertEvaluationWorkflow } from '../../workflows/alert-evaluation';
import { connectionScheduleReconciliationWorkflow } from '../../workflows/connection-schedule-reconciliation';
import { createTestApi } from '../setup/api-client';
import { percentageRolloutRequest } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const API = '/api/v1';
const CONNECTIONS = `${API}/platform-connections/connections`;

/**
 * Every workflow type, started the way production starts it (API route, Schedule action, parent
 * workflow), carries the search attributes that find it in the Web UI: OrgId, Platform and
 * ConnectionId for one connection, OrgId for one org, and Scope saying which of the three (or the
 * whole deployment) it concerns.
 */
describe('search attributes of every workflow', () => {
  let harness: TestHarness;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  // Starts whose attributes are all that matters go to a queue no worker polls: nothing runs.
  const idleQueue = uniqueName('attrs-idle');
  const workQueue = uniqueName('attrs-work');
  let idle: ReturnType<typeof createTestApi>;
  let working: ReturnType<typeof createTestApi>;
  const idleOrg = uniqueName('org-attrs-idle');
  const workOrg = uniqueName('org-attrs-work');
  const described: { workflowId: string; runId: string }[] = [];
  const scheduleIds: string[] = [];
  const typesSeen = new Set<string>();

  beforeAll(async () => {
    harness = await openTestHarness();
    worker = await startTestSyncWorker(harness, { taskQueue: workQueue });
    idle = createTestApi(harness, { taskQueue: idleQueue });
    working = createTestApi(harness, { taskQueue: workQueue });
  });
  afterAll(async () => {
    for (const id of scheduleIds)
      await harness.temporal.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    for (const run of described) {
      await harness.temporal.client.workflow
        .getHandle(run.workflowId, run.runId)
        .terminate('search attributes test done')
        .catch(() => undefined);
    }
    await worker.stop();
    await harness.close();
  });

  /** The execution's type and custom search attributes (an absent one is undefined). */
  async function attributesOf(workflowId: string, runId?: string) {
    const description = await harness.temporal.client.workflow.getHandle(workflowId, runId).describe();
    described.push({ workflowId, runId: description.runId });
    typesSeen.add(description.type);
    const attributes = description.typedSearchAttributes;
    return {
      type: description.type,
      OrgId: attributes.get(OrgIdKey),
      Platform: attributes.get(PlatformKey),
      ConnectionId: attributes.get(ConnectionIdKey),
      Scope: attributes.get(ScopeKey),
    };
  }

  /** Attributes of a child, once its parent (run by the worker) has started it. */
  function attributesOfChild(workflowId: string) {
    return waitFor(
      () => attributesOf(workflowId).catch((err: unknown) => (err instanceof WorkflowNotFoundError ? null : Promise.reject(err))),
      (a) => a !== null,
      { timeoutMs: 30_000, what: `child ${workflowId}` },
    );
  }

  const ofConnection = (type: string, connection: Pick<Connection, 'id' | 'org_id' | 'platform'>) => ({
    type,
    OrgId: connection.org_id,
    Platform: connection.platform,
    ConnectionId: connection.id,
    Scope: 'connection',
  });

  async function createConnection(api: ReturnType<typeof createTestApi>, orgId: string, extra: Record<string, unknown> = {}): Promise<Connection> {
    const created = await api.call('POST', CONNECTIONS, {
      token: await api.token(orgId, 'admin'),
      json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, account_id: `act_${randomUUID().slice(0, 6)}`, ...extra },
    });
    expect(created.status).toBe(201);
    return { id: created.json.id, org_id: orgId, platform: 'meta_business' } as Connection;
  }

  /** Triggers a Schedule and answers the run it started. */
  async function triggeredRun(scheduleId: string) {
    const handle = harness.temporal.client.schedule.getHandle(scheduleId);
    await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    const actions = await waitFor(
      async () => (await handle.describe()).info.recentActions,
      (a) => a.length > 0,
      { timeoutMs: 20_000, what: `a run of ${scheduleId}` },
    );
    return actions[0]!.action.workflow;
  }

  it('connection workflows started by the API carry OrgId, Platform, ConnectionId and Scope=connection', async () => {
    const connection = await createConnection(idle, idleOrg);
    const editor = await idle.token(idleOrg, 'editor');

    const sync = await idle.call('POST', `${CONNECTIONS}/${connection.id}/sync`, { token: editor, json: {} });
    expect(sync.status).toBe(202);
    expect(await attributesOf(sync.json.workflow_id, sync.json.run_id)).toEqual(ofConnection('connectionSyncWorkflow', connection));

    const validation = await idle.call('POST', `${API}/data-validation/connections/${connection.id}/validate-async?source=mock`, { token: editor });
    expect(validation.status).toBe(202);
    expect(await attributesOf(validation.json.workflow_id, validation.json.run_id)).toEqual(ofConnection('validationWorkflow', connection));

    const suite = await idle.call('POST', `${API}/live-integration/test-connection/${connection.id}?wait=false`, { token: editor, json: {} });
    expect(suite.status).toBe(202);
    expect(await attributesOf(suite.json.workflow_id, suite.json.run_id)).toEqual(ofConnection('integrationTestSuiteWorkflow', connection));

    // The OAuth callback's start (a mock connection has no grant to complete the flow with here).
    const refresh = await startTokenRefreshWorkflow(harness.temporal.client, idleQueue, connection);
    expect(await attributesOf(refresh.workflowId)).toEqual(ofConnection('tokenRefreshWorkflow', connection));
  });

  it('an org’s rollout carries OrgId and Scope=org', async () => {
    const admin = await idle.token(idleOrg, 'admin');
    const created = await idle.call('POST', `${API}/rollout-monitoring/rollouts`, {
      token: admin,
      json: percentageRolloutRequest('attrs'),
    });
    expect(created.status).toBe(201);
    const started = await idle.call('POST', `${API}/rollout-monitoring/rollouts/${created.json.id}/start`, { token: admin });
    expect(started.status).toBe(202);
    expect(await attributesOf(started.json.workflow_id, started.json.run_id)).toEqual({ type: 'rolloutWorkflow', OrgId: idleOrg, Scope: 'org' });
  });

  it('deployment-wide workflows carry Scope=deployment and no org or connection', async () => {
    const deploymentWide = (type: string) => ({ type, Scope: 'deployment' });

    const rotation = await idle.call('POST', `${API}/platform-connections/keys/rotate`, { token: await idle.operatorToken(), json: {} });
    expect(rotation.status).toBe(202);
    expect(await attributesOf(rotation.json.workflow_id, rotation.json.run_id)).toEqual(deploymentWide('keyRotationWorkflow'));

    const ensures: [string, (scheduleId: string) => Promise<string | null>][] = [
      ['alertEvaluationWorkflow', (id) => ensureAlertEvaluationSchedule(harness.temporal.client, idleQueue, id)],
      ['oauthStateCleanupWorkflow', (id) => ensureOAuthStateCleanupSchedule(harness.temporal.client, idleQueue, id)],
      ['dataRetentionWorkflow', (id) => ensureDataRetentionSchedule(harness.temporal.client, idleQueue, id)],
      ['validateAllWorkflow', (id) => ensureDataValidationSchedule(harness.temporal.client, idleQueue, id)],
      [
        'connectionScheduleReconciliationWorkflow',
        (id) => ensureConnectionScheduleReconciliationSchedule(harness.temporal.client, idleQueue, { scheduleId: id }),
      ],
    ];
    for (const [type, ensure] of ensures) {
      const scheduleId = uniqueName(`attrs-${type}`);
      scheduleIds.push(scheduleId);
      expect(await ensure(scheduleId)).toBeNull();
      const run = await triggeredRun(scheduleId);
      expect(await attributesOf(run.workflowId, run.firstExecutionRunId)).toEqual(deploymentWide(type));
    }
  });

  it('a deployment Schedule an older worker made without the attributes gains them when a worker starts', async () => {
    const scheduleId = uniqueName('attrs-old-schedule');
    scheduleIds.push(scheduleId);
    await harness.temporal.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: alertEvaluationWorkflow, taskQueue: idleQueue, args: [] },
      state: { paused: true },
    });
    await ensureAlertEvaluationSchedule(harness.temporal.client, idleQueue, scheduleId);
    const description = await harness.temporal.client.schedule.getHandle(scheduleId).describe();
    const attributes = description.action.typedSearchAttributes;
    expect(attributes instanceof TypedSearchAttributes ? attributes.getAll().map((p) => [p.key.name, p.value]) : attributes).toEqual([['Scope', 'deployment']]);
    // Its state is left alone.
    expect(description.state.paused).toBe(true);
  });

  it('a deployment Schedule whose arguments this worker cannot decode is left as it is, with the reason, and the worker starts', async () => {
    const scheduleId = uniqueName('attrs-foreign-schedule');
    scheduleIds.push(scheduleId);
    // Made by a process with another payload key (another deployment's worker, or a key since dropped).
    const foreign = new Client({
      connection: harness.temporal.client.connection,
      dataConverter: await createDataConverter(parseKeyring(`p9:${randomBytes(32).toString('base64')}`, 'PAYLOAD_CODEC_KEYS')),
    });
    await foreign.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: connectionScheduleReconciliationWorkflow, taskQueue: idleQueue, args: [{}] },
      state: { paused: true },
    });
    expect(await ensureConnectionScheduleReconciliationSchedule(harness.temporal.client, idleQueue, { scheduleId })).toMatch(
      new RegExp(`^Schedule ${scheduleId} left as it is: `),
    );
    expect((await foreign.schedule.getHandle(scheduleId).describe()).state.paused).toBe(true);
  });

  it('org fan-outs carry OrgId and Scope=org, and each child its connection’s attributes', async () => {
    const bulked = await createConnection(working, workOrg);
    const scheduled = await createConnection(working, workOrg, { sync_frequency: 'daily' });
    const editor = await working.token(workOrg, 'editor');

    const bulk = await working.call('POST', `${API}/platform-connections/sync/bulk`, { token: editor, json: { connection_ids: [bulked.id], concurrency: 1 } });
    expect(bulk.status).toBe(202);
    expect(await attributesOf(bulk.json.workflow_id, bulk.json.run_id)).toEqual({ type: 'bulkSyncWorkflow', OrgId: workOrg, Scope: 'org' });
    expect(await attributesOfChild(connectionSyncWorkflowId(bulked.id))).toEqual(ofConnection('connectionSyncWorkflow', bulked));

    const validateAll = await working.call('GET', `${API}/data-validation/connections/validate-all?wait=false&source=mock&concurrency=2`, { token: editor });
    expect(validateAll.status).toBe(202);
    expect(await attributesOf(validateAll.json.workflow_id, validateAll.json.run_id)).toEqual({ type: 'validateAllWorkflow', OrgId: workOrg, Scope: 'org' });
    for (const connection of [bulked, scheduled]) {
      expect(await attributesOfChild(dataValidationWorkflowId(connection.id, validateAll.json.run_id))).toEqual(ofConnection('validationWorkflow', connection));
    }

    const testAll = await working.call('POST', `${API}/live-integration/test-all-connections?wait=false`, {
      token: editor,
      json: { concurrency: 2, components: ['connection'] },
    });
    expect(testAll.status).toBe(202);
    expect(await attributesOf(testAll.json.workflow_id, testAll.json.run_id)).toEqual({ type: 'integrationTestAllWorkflow', OrgId: workOrg, Scope: 'org' });
    for (const connection of [bulked, scheduled]) {
      expect(await attributesOfChild(integrationTestWorkflowId(connection.id, testAll.json.run_id))).toEqual(
        ofConnection('integrationTestSuiteWorkflow', connection),
      );
    }

    // The connection's sync Schedule (made by the API on create) starts a scheduled sync, which starts the sync.
    const tick = await triggeredRun(connectionSyncScheduleId(scheduled.id));
    scheduleIds.push(connectionSyncScheduleId(scheduled.id));
    expect(await attributesOf(tick.workflowId, tick.firstExecutionRunId)).toEqual(ofConnection('scheduledSyncWorkflow', scheduled));
    expect(await attributesOfChild(connectionSyncWorkflowId(scheduled.id))).toEqual(ofConnection('connectionSyncWorkflow', scheduled));
  }, 120_000);

  it('covered every workflow type the worker registers', () => {
    expect([...typesSeen].sort()).toEqual(Object.keys(workflows).sort());
  });
});
