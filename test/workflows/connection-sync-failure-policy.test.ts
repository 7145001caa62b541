import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { findConnectionById } from '../../db/repositories/connections';
import { listNotifications } from '../../db/repositories/notifications';
import { createConnectionSyncSchedules } from '../../schedules/connection-sync-schedule';
import { connectionSyncScheduleId } from '../../domain/workflow-ids';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2026-01-01', endDate: '2026-01-10' };

/** A webhook receiver on loopback: answers 500 to the first request (to prove retries), 200 after. */
async function startWebhookReceiver() {
  const received: { body: any; contentType: string | undefined }[] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      requests++;
      if (requests === 1) {
        res.writeHead(500).end();
        return;
      }
      received.push({ body: JSON.parse(body), contentType: req.headers['content-type'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/liftos`,
    received,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('failure policy: a run of failed syncs warns, then disables and notifies', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads');
    receiver = await startWebhookReceiver();
    taskQueue = uniqueName('sync-failures');
    worker = await startTestSyncWorker(harness, {
      taskQueue,
      baseUrls: { google_ads: emulator.url },
      settings: { failureWarningAfter: 2, failureDisableAfter: 3 },
      notificationWebhookUrl: receiver.url,
    });
  });
  afterAll(async () => {
    await worker.stop();
    await receiver.close();
    await emulator.close();
    await harness.close();
  });

  it('counts consecutive failures, resets on success, warns at 2 and disables at 3 with audit, paused schedule and a delivered notification', async () => {
    const created = await createTestConnection(harness, {
      platform: 'google_ads',
      dataMode: 'live',
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.credentials },
    });
    await harness.database.db.updateTable('user_platform_connections').set({ sync_frequency: 'daily' }).where('id', '=', created.id).execute();
    const connection = (await findConnectionById(harness.database.db, created.id))!;
    const schedules = createConnectionSyncSchedules(harness.temporal.client, taskQueue);
    await schedules.reconcile(connection);
    const state = async () => {
      const c = (await findConnectionById(harness.database.db, connection.id))!;
      return { status: c.status, failures: c.consecutive_sync_failures, warned: c.sync_warning_at !== null };
    };
    // Each failing sync gets an unreadable answer: not retried, the connection stays active.
    const failingSync = async () => {
      emulator.faults.set({ malformedNext: 1 });
      await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result().catch(() => undefined);
    };
    const policyAudit = async () =>
      harness.database.db
        .selectFrom('audit_log')
        .select(['action', 'details'])
        .where('target_id', '=', connection.id)
        .where('action', 'like', 'connection.%')
        .where('action', '!=', 'connection.create')
        .orderBy('id')
        .execute();

    try {
      await failingSync();
      expect(await state()).toEqual({ status: 'active', failures: 1, warned: false });
      await failingSync();
      expect(await state()).toEqual({ status: 'active', failures: 2, warned: true });
      expect((await policyAudit()).map((a) => a.action)).toEqual(['connection.sync_warning']);

      emulator.faults.clear();
      expect(await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result()).toMatchObject({ status: 'completed' });
      expect(await state()).toEqual({ status: 'active', failures: 0, warned: false });

      await failingSync();
      await failingSync();
      expect(await state()).toEqual({ status: 'active', failures: 2, warned: true });
      await failingSync();
      expect(await state()).toEqual({ status: 'disabled', failures: 3, warned: true });

      const audit = await policyAudit();
      expect(audit.map((a) => a.action)).toEqual(['connection.sync_warning', 'connection.sync_warning', 'connection.auto_disabled']);
      expect(audit[2]!.details).toMatchObject({
        consecutive_failures: 3,
        failure_type: 'PlatformMalformedResponseError',
        error: expect.any(String),
        sync_log_id: expect.any(String),
      });

      const schedule = await harness.temporal.client.schedule.getHandle(connectionSyncScheduleId(connection.id)).describe();
      expect(schedule.state.paused).toBe(true);

      // The notification row, delivered to the webhook after one failed attempt (retried by Temporal).
      const [notification] = await listNotifications(harness.database.db, connection.org_id, 10);
      expect(notification).toMatchObject({ kind: 'connection.auto_disabled', connection_id: connection.id, delivery_attempts: 2, last_error: null });
      expect(notification!.delivered_at).not.toBeNull();
      expect(receiver.requests()).toBe(2);
      expect(receiver.received).toEqual([
        {
          contentType: 'application/json',
          body: {
            id: notification!.id,
            kind: 'connection.auto_disabled',
            org_id: connection.org_id,
            created_at: notification!.created_at.toISOString(),
            data: expect.objectContaining({
              connection_id: connection.id,
              platform: 'google_ads',
              consecutive_failures: 3,
              failure_type: 'PlatformMalformedResponseError',
            }),
          },
        },
      ]);
      // Disabled: a further sync is refused before it starts.
      const refused = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result().then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).not.toBeNull();
      expect(await state()).toEqual({ status: 'disabled', failures: 3, warned: true });
    } finally {
      await schedules.remove(connection.id);
    }
  });
});
