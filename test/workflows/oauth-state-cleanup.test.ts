import { randomUUID } from 'node:crypto';
import { ensureOAuthStateCleanupSchedule } from '../../schedules/oauth-state-cleanup-schedule';
import { waitFor } from '../../scripts/service-process';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

describe('the oauth-state-cleanup Schedule', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  async function insertState(expiresAt: Date): Promise<string> {
    const state = randomUUID();
    const sealed = harness.vault.seal(state, { code_verifier: 'v' });
    await harness.database.db
      .insertInto('platform_oauth_states')
      .values({
        state,
        org_id: 'org-x',
        user_id: 'u',
        platform: 'google_ads',
        redirect_uri: 'http://127.0.0.1/cb',
        expires_at: expiresAt,
        consumed_at: null,
        code_verifier_ciphertext: Buffer.from(sealed.ciphertext),
        code_verifier_wrapped_key: Buffer.from(sealed.wrappedKey),
        code_verifier_key_version: sealed.keyVersion,
      })
      .execute();
    return state;
  }

  it('exists every 15 minutes, is created idempotently, and purges only expired states when it runs', async () => {
    const taskQueue = uniqueName('cleanup');
    const scheduleId = uniqueName('oauth-state-cleanup');
    const worker = await startTestSyncWorker(harness, { taskQueue });
    try {
      const expired = [await insertState(new Date(Date.now() - 60_000)), await insertState(new Date(Date.now() - 3_600_000))];
      const fresh = await insertState(new Date(Date.now() + 600_000));
      await ensureOAuthStateCleanupSchedule(harness.temporal.client, taskQueue, scheduleId);
      await ensureOAuthStateCleanupSchedule(harness.temporal.client, taskQueue, scheduleId);
      const schedule = harness.temporal.client.schedule.getHandle(scheduleId);
      const description = await schedule.describe();
      expect(description.spec.intervals?.[0]?.every).toBe(15 * 60 * 1000);

      await schedule.trigger();
      const remaining = () =>
        harness.database.db
          .selectFrom('platform_oauth_states')
          .select('state')
          .where('state', 'in', [...expired, fresh])
          .execute();
      const left = await waitFor(remaining, (rows) => rows.length === 1, { timeoutMs: 20_000, what: 'expired states purged' });
      expect(left.map((r) => r.state)).toEqual([fresh]);
      await schedule.delete();
    } finally {
      await worker.stop();
    }
  });
});
