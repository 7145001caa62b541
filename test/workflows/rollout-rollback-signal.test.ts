import { randomUUID } from 'node:crypto';
import { rolloutWorkflowId } from '../../domain/workflow-ids';
import { createRolloutRollbackSignal } from '../../workers/rollout-rollback-signal';
import { oauthStateCleanupWorkflow } from '../../workflows/oauth-state-cleanup';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

describe('the production rollback of a rollout', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  it('signals `rollback` with the reason to workflow rollout:{id}, and ignores a rollout with no workflow', async () => {
    const rolloutId = randomUUID();
    // A stand-in run under the rollout's id (no worker polls its queue, so it stays open to signals).
    const handle = await harness.temporal.client.workflow.start(oauthStateCleanupWorkflow, { taskQueue: uniqueName('no-worker'), workflowId: rolloutWorkflowId(rolloutId) });
    try {
      const rollbacks = createRolloutRollbackSignal(harness.temporal.client);
      await rollbacks.requestRollback({ rolloutId, reason: 'critical alert' });
      const history = await handle.fetchHistory();
      const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
      expect(signals.map((e) => e.workflowExecutionSignaledEventAttributes!.signalName)).toEqual(['rollback']);
      const [payload] = signals[0]!.workflowExecutionSignaledEventAttributes!.input!.payloads!;
      const [decoded] = await harness.payloadCodec.decode([payload!]);
      expect(JSON.parse(Buffer.from(decoded!.data!).toString())).toEqual({ reason: 'critical alert', actor: { actorId: 'system:alert-evaluation', actorRole: 'system', requestId: null } });

      await expect(rollbacks.requestRollback({ rolloutId: randomUUID(), reason: 'x' })).resolves.toBeUndefined();
    } finally {
      await handle.terminate('test done');
    }
  });
});
