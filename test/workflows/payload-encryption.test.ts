import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { startRolloutWorkflow } from '../../workflow-clients/rollout';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { findRolloutById, insertRollout } from '../../db/repositories/rollouts';
import type { RolloutConfig } from '../../domain/rollout';
import { connectionSyncWorkflowId, rolloutWorkflowId } from '../../domain/workflow-ids';
import { waitFor } from '../../scripts/service-process';
import { connectionSyncWorkflow } from '../../workflows/connection-sync';
import { rollbackRolloutSignal } from '../../workflows/rollout';
import { createTestConnection, percentageRollout } from '../setup/fixtures';
import { testEnv } from '../setup/test-env';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

/** Waits at its first step for a `promote` that never comes: open to signals for the whole test. */
const WAITING_CONFIG: RolloutConfig = percentageRollout([[50, 3600]], {
  success: { minSuccessRate: 0.9, maxErrorRate: 0.1, minSampleSize: 1000 },
  rollback: { maxErrorRate: 0.5, minSampleSize: 1000 },
  advance: 'manual',
  analysisIntervalSeconds: 3600,
  maxInconclusiveSeconds: 7200,
});

describe('what Temporal history holds', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;
  /** Someone with access to the Temporal frontend but not the payload keys. */
  let outsider: Client;

  beforeAll(async () => {
    harness = await openTestHarness();
    taskQueue = uniqueName('payloads');
    emulator = await startEmulator('google_ads');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
    outsider = new Client({ connection: harness.temporal.connection, namespace: 'default' });
  });
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  it('keeps failure messages and stack traces encrypted, readable only through the codec', async () => {
    const connectionId = randomUUID();
    const handle = await harness.temporal.client.workflow.start(connectionSyncWorkflow, {
      taskQueue,
      workflowId: connectionSyncWorkflowId(connectionId),
      args: [{ connectionId, orgId: 'org-history', platform: 'google_ads' }],
    });
    // Our own client decodes the failure: the message is intact.
    const failure = await handle.result().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(JSON.stringify(causes(failure))).toContain(`Connection ${connectionId} no longer exists`);

    // The raw history, as an outsider reads it through the frontend, and as `temporal workflow show` prints it.
    const raw = JSON.stringify(await outsider.workflow.getHandle(handle.workflowId).fetchHistory());
    const { stdout: shown } = await promisify(execFile)(process.env.TEMPORAL_CLI ?? 'temporal', [
      'workflow',
      'show',
      '--address',
      testEnv('temporalAddress'),
      '--workflow-id',
      handle.workflowId,
      '--output',
      'json',
    ]);
    for (const text of [raw, shown]) {
      expect(text).toContain('activityTaskFailedEventAttributes');
      expect(text).not.toContain('no longer exists');
      expect(text).not.toContain('sync-activities');
    }
  });

  it('refuses a plaintext signal sent without the codec: it never reaches the workflow', async () => {
    const rolloutId = randomUUID();
    const orgId = `org-${rolloutId.slice(0, 8)}`;
    await createTestConnection(harness, { platform: 'google_ads', dataMode: 'hybrid', credentials: { ...emulator.credentials }, orgId });
    const row = await insertRollout(harness.database.db, { id: rolloutId, orgId, name: 'signal target', config: WAITING_CONFIG, createdBy: 'tester' });
    const handle = await startRolloutWorkflow(harness.temporal.client, taskQueue, row, { actorId: 'tester', actorRole: 'admin', requestId: null });
    try {
      await waitFor(
        () => findRolloutById(harness.database.db, rolloutId),
        (r) => r?.stage === 'running',
        { timeoutMs: 20_000, what: 'rollout running' },
      );

      await outsider.workflow
        .getHandle(rolloutWorkflowId(rolloutId))
        .signal(rollbackRolloutSignal, { reason: 'forged', actor: { actorId: 'intruder', actorRole: 'admin', requestId: null } });

      // The worker fails the workflow task that carries the signal, naming why; the handler never runs.
      const history = await waitFor(
        () => handle.fetchHistory(),
        (h) => (h.events ?? []).some((e) => e.workflowTaskFailedEventAttributes),
        { timeoutMs: 20_000, what: 'the signal refused' },
      );
      const signalled = (history.events ?? []).findIndex((e) => e.workflowExecutionSignaledEventAttributes);
      const refused = (history.events ?? []).findIndex((e) => e.workflowTaskFailedEventAttributes);
      expect(signalled).toBeGreaterThan(-1);
      expect(refused).toBeGreaterThan(signalled);
      // The task failure is itself encoded; decoded, it names the refusal.
      const [attributes] = await harness.payloadCodec.decode([history.events![refused]!.workflowTaskFailedEventAttributes!.failure!.encodedAttributes!]);
      expect(JSON.parse(Buffer.from(attributes!.data!).toString()).message).toMatch(/Refusing an unencrypted payload/);
      expect(await findRolloutById(harness.database.db, rolloutId)).toMatchObject({ stage: 'running', rollback_cause: null });
    } finally {
      await handle.terminate('test done').catch(() => {});
    }
  });
});

/** An error and its causes, as plain objects. */
function causes(err: unknown): { message: string }[] {
  const out: { message: string }[] = [];
  for (let e = err as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) out.push({ message: String(e.message) });
  return out;
}
