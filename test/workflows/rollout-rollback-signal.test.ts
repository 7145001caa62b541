import { randomUUID } from 'node:crypto';
import { OrgIdKey } from '../../domain/search-attributes';
import { rolloutWorkflowId } from '../../domain/workflow-ids';
import { createRolloutRollbackSignal } from '../../workflow-clients/rollout';
import { oauthStateCleanupWorkflow } from '../../workflows/oauth-state-cleanup';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

describe('the production rollback of a rollout', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  it('signals `rollback` with the reason and the alert as trigger to workflow rollout:{id} of the same org only, and ignores a rollout with no workflow', async () => {
    const rolloutId = randomUUID();
    const owner = `org-${randomUUID().slice(0, 8)}`;
    // A stand-in run under the rollout's id and org (no worker polls its queue, so it stays open to signals).
    const handle = await harness.temporal.client.workflow.start(oauthStateCleanupWorkflow, {
      taskQueue: uniqueName('no-worker'),
      workflowId: rolloutWorkflowId(rolloutId),
      typedSearchAttributes: [{ key: OrgIdKey, value: owner }],
    });
    const trigger = { kind: 'alert' as const, alertId: randomUUID(), ruleId: 'rollout_error_rate_critical' };
    const signals = async () => ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    try {
      const rollbacks = createRolloutRollbackSignal(harness.temporal.client);
      // Another org's alert naming this rollout: nothing is signalled.
      await expect(rollbacks.requestRollback({ rolloutId, orgId: 'org-elsewhere', trigger, reason: 'critical alert' })).resolves.toEqual({ signalled: false });
      expect(await signals()).toEqual([]);

      await expect(rollbacks.requestRollback({ rolloutId, orgId: owner, trigger, reason: 'critical alert' })).resolves.toEqual({ signalled: true });
      const signalled = await signals();
      expect(signalled.map((e) => e.workflowExecutionSignaledEventAttributes!.signalName)).toEqual(['rollback']);
      const [payload] = signalled[0]!.workflowExecutionSignaledEventAttributes!.input!.payloads!;
      const [decoded] = await harness.payloadCodec.decode([payload!]);
      expect(JSON.parse(Buffer.from(decoded!.data!).toString())).toEqual({
        reason: 'critical alert',
        actor: { actorId: 'system:alert-evaluation', actorRole: 'system', requestId: null },
        trigger,
      });

      await expect(rollbacks.requestRollback({ rolloutId: randomUUID(), orgId: owner, trigger, reason: 'x' })).resolves.toEqual({ signalled: false });
    } finally {
      await handle.terminate('test done');
    }
  });
});
