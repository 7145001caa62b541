import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { connectionSyncScheduleId } from '../../domain/workflow-ids';
import { syncFrequencyProblem } from '../../domain/sync-frequency';
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
  const scheduleExists = (id: string) =>
    schedule(id)
      .describe()
      .then(
        () => true,
        () => false,
      );

  it('follows the connection: created with it, updated with its frequency, paused with its status, deleted with it', async () => {
    const created = await api.call('POST', CONNECTIONS, {
      token: admin,
      json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, sync_frequency: 'daily' },
    });
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

    const bad = await api.call('POST', CONNECTIONS, {
      token: admin,
      json: { platform: 'tiktok', data_mode: 'mock', credentials: {}, sync_frequency: 'fortnightly' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].field).toBe('sync_frequency');
  });

  it('refuses a cron expression Temporal would refuse with a 400 naming sync_frequency, and creates nothing', async () => {
    const org = `org-cron-${randomUUID().slice(0, 8)}`;
    const token = await api.token(org, 'admin');
    for (const sync_frequency of ['61 * * * *', '* * * *', '@fortnightly', '0 0 L * *', '0 0 1 * 1', '0 0 * * * 2026']) {
      const bad = await api.call('POST', CONNECTIONS, { token, json: { platform: 'tiktok', data_mode: 'mock', credentials: {}, sync_frequency } });
      expect({ sync_frequency, status: bad.status }).toEqual({ sync_frequency, status: 400 });
      expect(bad.json.error.details).toEqual([{ field: 'sync_frequency', message: expect.any(String) }]);
    }
    expect((await api.call('GET', CONNECTIONS, { token })).json.total).toBe(0);
    const audited = await harness.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('org_id', '=', org)
      .where('action', '=', 'connection.create')
      .execute();
    expect(audited).toEqual([]);

    // An update with a bad expression changes neither the row nor its Schedule.
    const created = await api.call('POST', CONNECTIONS, {
      token,
      json: { platform: 'tiktok', data_mode: 'mock', credentials: {}, sync_frequency: '0 6 * * *' },
    });
    const id = created.json.id as string;
    const before = await schedule(id).describe();
    const refused = await api.call('PUT', `${CONNECTIONS}/${id}`, { token, json: { sync_frequency: '0 25 * * *' } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details[0]).toEqual({ field: 'sync_frequency', message: expect.stringContaining('hour') });
    expect((await api.call('GET', `${CONNECTIONS}/${id}`, { token })).json.sync_frequency).toBe('0 6 * * *');
    expect((await schedule(id).describe()).spec).toEqual(before.spec);
  });

  /** Creates a paused Schedule with this cron expression on the real server; its next times, or the server's refusal. */
  async function temporalVerdict(cron: string): Promise<{ accepted: true; next: string[] } | { accepted: false }> {
    const handle = await harness.temporal.client.schedule
      .create({
        scheduleId: uniqueName('cron-probe'),
        spec: { cronExpressions: [cron] },
        action: { type: 'startWorkflow', workflowType: 'scheduledSyncWorkflow', taskQueue: uniqueName('nobody'), args: [] },
        state: { paused: true },
      })
      .catch(() => null);
    if (!handle) return { accepted: false };
    try {
      const description = await handle.describe();
      return { accepted: true, next: description.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()) };
    } finally {
      await handle.delete();
    }
  }

  it('accepts what Temporal Schedules accept and read the same way, and nothing Temporal refuses', async () => {
    const accepted = [
      '15 3 * * 1',
      '*/15 * * * *',
      '5/15 * * * *',
      '0 0 * * 7',
      '0 9-17/2 * * MON-FRI',
      '0 0 1 jan,JUL *',
      '30 2 1,15 * *',
      '0 0 29 2 *',
      '@hourly',
      '@daily',
      '@weekly',
      '@monthly',
      '@yearly',
    ];
    for (const cron of accepted) {
      expect({ cron, problem: syncFrequencyProblem(cron) }).toEqual({ cron, problem: null });
      const verdict = await temporalVerdict(cron);
      // cron-parser's next runs (which our checks rely on) are the server's.
      const parsed = CronExpressionParser.parse(cron.startsWith('@') ? cron : `0 ${cron}`, { tz: 'UTC', currentDate: new Date() });
      const next = parsed.take(3).map((d) => d.toISOString()!);
      expect({ cron, verdict }).toEqual({ cron, verdict: { accepted: true, next } });
    }
    const refusedByBoth = [
      '61 * * * *',
      '* * * *',
      '@fortnightly',
      '0 24 * * *',
      '0 0 32 * *',
      '0 0 * 13 *',
      '*/0 * * * *',
      '10-5 * * * *',
      '0 0 * * 8',
      '0 0 * foo *',
      '0 12 ? * *',
      '30 2 1,15 * ?',
    ];
    for (const cron of refusedByBoth) {
      expect({ cron, refused: syncFrequencyProblem(cron) !== null }).toEqual({ cron, refused: true });
      expect({ cron, verdict: await temporalVerdict(cron) }).toEqual({ cron, verdict: { accepted: false } });
    }
    // Deliberately narrower than the server: a year or seconds field, @every, time zones and comments
    // (frequencies are UTC cron), a day-of-month with a day-of-week (Temporal requires both, standard
    // cron either), and dates that never come.
    for (const cron of ['0 0 * * * 2026', '0 0 0 * * * 2026', '@every 1h', 'TZ=Europe/Paris 0 0 * * *', '0 0 * * * #nightly', '0 0 1 * 1', '0 0 30 2 *']) {
      expect({ cron, refused: syncFrequencyProblem(cron) !== null }).toEqual({ cron, refused: true });
    }
  });

  it('runs a triggered tick as the connection’s one sync, and skips a tick while that sync runs', async () => {
    const created = await api.call('POST', CONNECTIONS, {
      token: admin,
      json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, sync_frequency: 'hourly' },
    });
    const id = created.json.id as string;
    await schedule(id).trigger();
    const sync = await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: admin }),
      (r) => r.json?.status === 'completed',
      { timeoutMs: 30_000, what: 'scheduled sync completed' },
    );
    expect(sync.json.workflow_id).toBe(`connection-sync:${id}`);

    // A long manual backfill is running: the next tick must not start a second sync.
    await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: admin, json: { start_date: '2016-01-01', end_date: '2018-12-31' } });
    await schedule(id).trigger();
    const ticks = await waitFor(
      async () => (await schedule(id).describe()).info.recentActions,
      (a) => a.length >= 2,
      { timeoutMs: 20_000, what: 'second tick' },
    );
    const tick = await harness.temporal.client.workflow.getHandle(ticks.at(-1)!.action.workflow.workflowId).result();
    expect(tick).toEqual({ started: false, workflowId: `connection-sync:${id}` });
    await harness.temporal.client.workflow.getHandle(`connection-sync:${id}`).cancel();
  });

  it('pauses the Schedule of a connection whose credentials the platform rejects; new credentials resume it', async () => {
    const created = await api.call('POST', CONNECTIONS, {
      token: admin,
      json: {
        platform: 'google_ads',
        data_mode: 'live',
        credentials: { access_token: 'revoked', developer_token: 'dev' },
        account_id: emulator.shape.accountId,
        sync_frequency: 'daily',
      },
    });
    const id = created.json.id as string;
    await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: admin });
    await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}`, { token: admin }),
      (r) => r.json.status === 'reauth_required',
      { timeoutMs: 20_000, what: 'reauth_required' },
    );
    // The log closes (and the status turns) before finishSync pauses the Schedule.
    const paused = await waitFor(
      async () => (await schedule(id).describe()).state,
      (state) => state.paused,
      { timeoutMs: 15_000, what: 'schedule paused' },
    );
    expect(paused).toMatchObject({ paused: true, note: 'connection is reauth_required' });

    const fixed = await api.call('PUT', `${CONNECTIONS}/${id}`, { token: admin, json: { credentials: { ...emulator.credentials } } });
    expect(fixed.json.status).toBe('active');
    expect((await schedule(id).describe()).state.paused).toBe(false);
  });
});
