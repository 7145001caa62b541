import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { parseKeyring } from '../../security/keyring';
import { createDataConverter } from '../../security/payload-codec';
import { REPLAYED_WORKFLOWS, TEST_ONLY_REPLAY_PAYLOAD_CODEC_KEYS, replayHistoryPath } from '../setup/replay-histories';
import { testEnv } from '../setup/test-env';
import { installQuietRuntime } from '../setup/test-harness';

/**
 * Today's workflow code replays the recorded histories of every long-running workflow: a change
 * that would break runs in flight (an activity, timer or child added, removed or reordered without
 * `patched`) fails here with a DeterminismViolationError. After an intended, compatible change,
 * re-record with `npm run test:record-histories`.
 */
describe('replaying recorded workflow histories', () => {
  beforeAll(installQuietRuntime);
  it.each(REPLAYED_WORKFLOWS)('%s replays its recorded history', async (workflow) => {
    const history = historyFromJSON(JSON.parse(readFileSync(replayHistoryPath(workflow), 'utf8')));
    const types = new Set(history.events?.map((e) => e.workflowExecutionStartedEventAttributes?.workflowType?.name).filter(Boolean));
    expect([...types]).toEqual([workflow]);
    // The recorder's data converter: the payloads are encrypted under the test-only key.
    const dataConverter = await createDataConverter(parseKeyring(TEST_ONLY_REPLAY_PAYLOAD_CODEC_KEYS, 'PAYLOAD_CODEC_KEYS'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: testEnv('workflowBundle') }, dataConverter }, history, `${workflow}-replay`),
    ).resolves.toBeUndefined();
  });
});
