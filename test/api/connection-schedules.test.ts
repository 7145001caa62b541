import { randomUUID } from 'node:crypto';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { connectionSyncScheduleId } from '../../domain/workflow-ids';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';

describe('recurring syncs on Temporal Schedules', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  const orgId = `org-sched-${randomUUID().slice(0, 8)}`;
  let admin: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 500 });
    const taskQueue = uniqueName('schedules');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
    api = createTestApi(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
    admin = await api.token(orgId, 'admin');
  });
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  const schedule = (id: string) => harness.temporal.client.schedule.getHandle(connectionSyncScheduleId(id));
  const scheduleExists = (id: string) => schedule(id).describe().then(() => true, () => false);

  it('follows the connection: created with it, updated with its frequency, paused with its status, deleted with it', async () => {
    const created = await api.call('POST', CONNECTIONS, { token: admin, json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, sync_frequency: 'daily' } });
    const id = created.json.id as string;
    let description = await schedule(id).describe();
    expect(description.spec.intervals?.[0]?.every).toBe(24 * 3_600_000);
    expect(description.spec.jitter).toBe(30 * 60_000);
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.state.paused).toBe(false);
    expect(description.action).toMatchObject({ workflowType: 'scheduledSyncWorkflow' });

    await api.call('PUT', `${CONNECTIONS}/${id}`, { token: admin, json: { sync_frequency: '15 3 * * 1' } });
    description = await schedule(id).describe();
    // The server stores a cron expression as a calendar spec.
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] });
    expect(description.spec.intervals ?? []).toEqual([]);

    await api.call('PUT', `${CONNECTIONS}/${id}`, { token: admin, json: { status: 'disabled' } });
    expect((await schedule(id).describe()).state.paused).toBe(true);
    await api.call('PUT', `${CONNECTIONS}/${id}`, { token: admin, json: { status: 'active' } });
    expect((await schedule(id).describe()).state.paused).toBe(false);

    await api.call('PUT', `${CONNECTIONS}/${id}`, { token: admin, json: { sync_frequency: 'manual' } });
    expect(await scheduleExists(id)).toBe(false);
    await api.call('PUT', `${CONNECTIONS}/${id}`, { token: admin, json: { sync_frequency: 'hourly' } });
    expect(await scheduleExists(id)).toBe(true);
    expect((await api.call('DELETE', `${CONNECTIONS}/${id}`, { token: admin })).status).toBe(204);
    expect(await scheduleExists(id)).toBe(false);

    const bad = await api.call('POST', CONNECTIONS, { token: admin, json: { platform: 'tiktok', data_mode: 'mock', credentials: {}, sync_frequency: 'fortnightly' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].field).toBe('sync_frequency');
  });

  it('runs a triggered tick as the connection’s one sync, and skips a tick while that sync runs', async () => {
    const created = await api.call('POST', CONNECTIONS, { token: admin, json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, sync_frequency: 'hourly' } });
    const id = created.json.id as string;
    await schedule(id).trigger();
    const sync = await waitFor(() => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: admin }), (r) => r.json?.status === 'completed', { timeoutMs: 30_000, what: 'scheduled sync completed' });
    expect(sync.json.workflow_id).toBe(`connection-sync:${id}`);

    // A long manual backfill is running: the next tick must not start a second sync.
    await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: admin, json: { start_date: '2016-01-01', end_date: '2018-12-31' } });
    await schedule(id).trigger();
    const ticks = await waitFor(async () => (await schedule(id).describe()).info.recentActions, (a) => a.length >= 2, { timeoutMs: 20_000, what: 'second tick' });
    const tick = await harness.temporal.client.workflow.getHandle(ticks.at(-1)!.action.workflow.workflowId).result();
    expect(tick).toEqual({ started: false, workflowId: `connection-sync:${id}` });
    await harness.temporal.client.workflow.getHandle(`connection-sync:${id}`).cancel();
  });

  it('pauses the Schedule of a connection whose credentials the platform rejects; new credentials resume it', async () => {
    const created = await api.call('POST', CONNECTIONS, {
      token: admin,
      json: { platform: 'google_ads', data_mode: 'live', credentials: { access_token: 'revoked', developer_token: 'dev' }, account_id: emulator.shape.accountId, sync_frequency: 'daily' },
    });
    const id = created.json.id as string;
    await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: admin });
    await waitFor(() => api.call('GET', `${CONNECTIONS}/${id}`, { token: admin }), (r) => r.json.status === 'reauth_required', { timeoutMs: 20_000, what: 'reauth_required' });
    // The log closes (and the status turns) before finishSync pauses the Schedule.
    const paused = await waitFor(async () => (await schedule(id).describe()).state, (state) => state.paused, { timeoutMs: 15_000, what: 'schedule paused' });
    expect(paused).toMatchObject({ paused: true, note: 'connection is reauth_required' });

    const fixed = await api.call('PUT', `${CONNECTIONS}/${id}`, { token: admin, json: { credentials: { ...emulator.credentials } } });
    expect(fixed.json.status).toBe('active');
    expect((await schedule(id).describe()).state.paused).toBe(false);
  });
});
