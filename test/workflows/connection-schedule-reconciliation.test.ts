import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { updateConnection } from '../../db/repositories/connections';
import { SCHEDULE_RECONCILER_ACTOR } from '../../activities/schedule-reconciliation-activities';
import { connectionSyncScheduleId } from '../../domain/workflow-ids';
import { ensureConnectionScheduleReconciliationSchedule } from '../../schedules/connection-schedule-reconciliation-schedule';
import { waitFor } from '../../scripts/service-process';
import { connectionScheduleReconciliationWorkflow } from '../../workflows/connection-schedule-reconciliation';
import { createTestApi } from '../setup/api-client';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';

/** A port nothing listens on: a Temporal frontend that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connection Schedules converge with Postgres', () => {
  let harness: TestHarness;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let api: ReturnType<typeof createTestApi>;
  let apiWithoutTemporal: ReturnType<typeof createTestApi>;
  let deadConnection: Connection;
  const taskQueue = uniqueName('schedule-reconciliation');

  beforeAll(async () => {
    harness = await openTestHarness();
    worker = await startTestSyncWorker(harness, { taskQueue });
    api = createTestApi(harness, { taskQueue });
    // The same API over a Temporal client whose server is not there.
    deadConnection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
    apiWithoutTemporal = createTestApi(harness, {
      taskQueue,
      scheduleCallTimeoutMs: 1_000,
      temporal: new Client({ connection: deadConnection, dataConverter: { payloadCodecs: [harness.payloadCodec] } }),
    });
  });
  afterAll(async () => {
    await worker.stop();
    await deadConnection.close();
    await harness.close();
  });

  const schedule = (id: string) => harness.temporal.client.schedule.getHandle(connectionSyncScheduleId(id));
  const describe_ = (id: string) =>
    schedule(id)
      .describe()
      .catch(() => null);
  const audits = (orgId: string) =>
    harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target_id', 'outcome', 'details'])
      .where('org_id', '=', orgId)
      .orderBy('id')
      .execute();
  const reconcile = (orgId: string, extra: { batchSize?: number; batchesPerRun?: number } = {}) =>
    harness.temporal.client.workflow.execute(connectionScheduleReconciliationWorkflow, {
      taskQueue,
      workflowId: uniqueName('reconcile'),
      args: [{ orgId, ...extra }],
    });

  it('answers writes while Temporal is down, audits them as pending, and the reconciler converges the Schedules', async () => {
    const orgId = `org-rec-${randomUUID().slice(0, 8)}`;
    // The API without Temporal signs with its own secret.
    const up = await api.token(orgId, 'admin');
    const down = await apiWithoutTemporal.token(orgId, 'admin');
    const create = (via: typeof api, token: string, sync_frequency: string) =>
      via.call('POST', CONNECTIONS, {
        token,
        json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, sync_frequency, account_id: randomUUID() },
      });

    // Made while Temporal is up: each gets its Schedule.
    const toDisable = (await create(api, up, 'daily')).json.id as string;
    const toRetime = (await create(api, up, 'hourly')).json.id as string;
    const toDelete = (await create(api, up, 'daily')).json.id as string;
    for (const id of [toDisable, toRetime, toDelete]) expect(await describe_(id)).not.toBeNull();

    // Temporal down: every write answers success (Postgres has it), and says what it left behind.
    const created = await create(apiWithoutTemporal, down, '15 3 * * 1');
    expect(created.status).toBe(201);
    const missing = created.json.id as string;
    expect((await apiWithoutTemporal.call('PUT', `${CONNECTIONS}/${toDisable}`, { token: down, json: { status: 'disabled' } })).status).toBe(200);
    expect((await apiWithoutTemporal.call('PUT', `${CONNECTIONS}/${toRetime}`, { token: down, json: { sync_frequency: '0 6 * * *' } })).status).toBe(200);
    expect((await apiWithoutTemporal.call('DELETE', `${CONNECTIONS}/${toDelete}`, { token: down })).status).toBe(204);
    expect((await api.call('GET', `${CONNECTIONS}/${toDelete}`, { token: up })).status).toBe(404);

    expect(await describe_(missing)).toBeNull();
    expect((await describe_(toDisable))!.state.paused).toBe(false);
    expect((await describe_(toRetime))!.spec.intervals?.[0]?.every).toBe(3_600_000);
    expect(await describe_(toDelete)).not.toBeNull();
    const written = (await audits(orgId)).filter((a) => a.actor_id !== SCHEDULE_RECONCILER_ACTOR);
    expect(written.slice(-4)).toEqual([
      expect.objectContaining({
        action: 'connection.create',
        target_id: missing,
        outcome: 'success',
        details: expect.objectContaining({ schedule: 'pending_reconciliation' }),
      }),
      expect.objectContaining({
        action: 'connection.update',
        target_id: toDisable,
        outcome: 'success',
        details: expect.objectContaining({ schedule: 'pending_reconciliation' }),
      }),
      expect.objectContaining({
        action: 'connection.update',
        target_id: toRetime,
        outcome: 'success',
        details: expect.objectContaining({ schedule: 'pending_reconciliation' }),
      }),
      expect.objectContaining({
        action: 'connection.delete',
        target_id: toDelete,
        outcome: 'success',
        details: expect.objectContaining({ schedule: 'pending_reconciliation' }),
      }),
    ]);
    expect(written.slice(0, 3).map((a) => (a.details as { schedule: string }).schedule)).toEqual(['applied', 'applied', 'applied']);

    // The reconciler, on the real server and worker. Temporal lists Schedules eventually, so an
    // orphan may wait for a later run: run it as its Schedule would until the orphan is gone.
    const first = await reconcile(orgId);
    expect(first).toMatchObject({ checked: 3, fixed: 3, failed: 0 });
    const orphanRemoved = async () => {
      if (await describe_(toDelete)) await reconcile(orgId);
      return (await describe_(toDelete)) === null;
    };
    await waitFor(orphanRemoved, (gone) => gone, { timeoutMs: 30_000, what: 'orphan removed' });

    const recreated = (await describe_(missing))!;
    expect(recreated.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] });
    expect(recreated.state.paused).toBe(false);
    expect((await describe_(toDisable))!.state).toMatchObject({ paused: true, note: 'connection is disabled' });
    const retimed = (await describe_(toRetime))!;
    expect(retimed.spec.intervals ?? []).toEqual([]);
    expect(retimed.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 6, end: 6, step: 1 }] });

    const fixes = (await audits(orgId)).filter((a) => a.actor_id === SCHEDULE_RECONCILER_ACTOR);
    expect(fixes.map((a) => [a.target_id, (a.details as { fix: string }).fix]).sort()).toEqual(
      [
        [missing, 'created'],
        [toDisable, 'paused'],
        [toRetime, 'spec_updated'],
        [toDelete, 'orphan_removed'],
      ].sort(),
    );
    expect(fixes.every((a) => a.action === 'connection.schedule_reconcile' && a.outcome === 'success')).toBe(true);

    // Converged: a further run finds nothing to fix.
    expect(await reconcile(orgId)).toMatchObject({ checked: 3, fixed: 0, orphansRemoved: 0 });
  });

  it('continues as new over a large fleet and covers every connection', async () => {
    const orgId = `org-rec-${randomUUID().slice(0, 8)}`;
    // Rows without Schedules, as an API process killed between its commit and its Temporal call leaves them.
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const connection = await createTestConnection(harness, { platform: 'tiktok', dataMode: 'mock', orgId });
      await updateConnection(harness.database.db, orgId, connection.id, { sync_frequency: 'daily' });
      ids.push(connection.id);
    }
    // Two connections a run: the five take three runs chained by continue-as-new.
    expect(await reconcile(orgId, { batchSize: 2, batchesPerRun: 2 })).toMatchObject({ checked: 5, fixed: 5 });
    for (const id of ids) expect(await describe_(id)).not.toBeNull();
  });

  it('is scheduled every five minutes by default, idempotently, by the workers; a changed interval applies', async () => {
    const scheduleId = uniqueName('connection-schedule-reconciliation');
    await ensureConnectionScheduleReconciliationSchedule(harness.temporal.client, taskQueue, { scheduleId });
    await ensureConnectionScheduleReconciliationSchedule(harness.temporal.client, taskQueue, { scheduleId });
    const handle = harness.temporal.client.schedule.getHandle(scheduleId);
    let description = await handle.describe();
    expect(description.spec.intervals?.map((i) => i.every)).toEqual([5 * 60_000]);
    await ensureConnectionScheduleReconciliationSchedule(harness.temporal.client, taskQueue, { scheduleId, intervalMinutes: 15 });
    description = await handle.describe();
    expect(description.spec.intervals?.map((i) => i.every)).toEqual([15 * 60_000]);
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'connectionScheduleReconciliationWorkflow', taskQueue });
    await handle.delete();
  });
});
