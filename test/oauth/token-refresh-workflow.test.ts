import { connectionSyncScheduleId } from '../../domain/workflow-ids';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { startTokenRefreshWorkflow } from '../../workflow-clients/token-refresh';
import { connectionCredentials } from '../../db/repositories/connections';
import { waitFor } from '../../scripts/service-process';
import { refreshNowSignal, tokenRefreshStatusQuery } from '../../workflows/token-refresh';
import { type OAuthTestServer, startOAuthTestServer } from '../support/oauth-server-process';
import { createOAuthTestApi, createTokenRefreshTestWorker } from '../support/oauth-test-api';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

/**
 * Access tokens live 2 s at first; with a 1 s skew the loop refreshes about every second (half the life of a token shorter
 * than twice the skew). The schedule's arithmetic is unit-tested in token-refresh-plan.test.ts; here, that the loop follows it.
 */
const ACCESS_TOKEN_TTL_SECONDS = 2;
/** Then long-lived tokens: the next scheduled refresh is a minute away while the test signals and revokes. */
const LONG_ACCESS_TOKEN_TTL_SECONDS = 60;

describe('tokenRefreshWorkflow on the dev server', () => {
  let harness: TestHarness;
  let server: OAuthTestServer;
  let api: ReturnType<typeof createOAuthTestApi>;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('token-refresh');
  const orgId = `org-refresh-wf-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    server = await startOAuthTestServer({ scopes: ['oauth', 'crm.objects.contacts.read'], accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS });
    api = createOAuthTestApi(harness, {
      taskQueue,
      oauthEnv: {
        ...server.oauthEnv('hubspot'),
      },
      // These tests run the refresh themselves.
      scheduleTokenRefresh: false,
    });
    worker = await createTokenRefreshTestWorker(harness, api, taskQueue, { refreshSkewMs: 1_000, minRefreshIntervalMs: 500 });
    running = worker.run();
  });
  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await server?.stop();
    await harness.close();
  });

  const row = (id: string) => harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const stored = async (id: string) => harness.vault.open(id, connectionCredentials(await row(id)));
  /** The trigger of each successful refresh, in order: `schedule` on the timer, `request` on refreshNow. */
  const refreshTriggers = (id: string) => async () => {
    const audits = await harness.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('target_id', '=', id)
      .where('action', '=', 'token.refresh')
      .where('outcome', '=', 'success')
      .orderBy('id')
      .execute();
    return audits.map((a) => (a.details as { trigger: string }).trigger);
  };

  it('refreshes before expiry, on refreshNow, and ends with reauth_required when the grant is revoked', async () => {
    const editor = await api.token(orgId, 'editor', 'alice');
    const { connection } = await api.connect(editor, { platform: 'hubspot', redirect_uri: server.redirectUri, account_id: 'portal-wf', data_mode: 'mock' });
    const first = await stored(connection.id);
    // Scheduled daily syncs: revoking the grant must pause them.
    await api.call('PUT', `/api/v1/platform-connections/connections/${connection.id}`, { token: editor, json: { sync_frequency: 'daily' } });
    const syncSchedule = harness.temporal.client.schedule.getHandle(connectionSyncScheduleId(connection.id));
    expect((await syncSchedule.describe()).state.paused).toBe(false);
    const handle = await startTokenRefreshWorkflow(harness.temporal.client, taskQueue, { id: connection.id, org_id: orgId, platform: 'hubspot' });

    // Before expiry, twice, each time with the rotated refresh token of the previous refresh.
    const status = await waitFor(
      () => handle.query(tokenRefreshStatusQuery),
      (s) => s.refreshes >= 2,
      { timeoutMs: 30_000, what: 'two scheduled refreshes' },
    );
    expect(status).toMatchObject({ endedBecause: null, lastRefreshedAt: expect.any(String) });
    expect((await refreshTriggers(connection.id)()).slice(0, 2)).toEqual(['schedule', 'schedule']);
    const second = await stored(connection.id);
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(Date.parse(second.expires_at!)).toBeGreaterThan(Date.parse(first.expires_at!));

    // Once a long-lived token is in (the next scheduled refresh gets one), the loop sleeps for about a minute.
    await server.setAccessTokenTtl(LONG_ACCESS_TOKEN_TTL_SECONDS);
    const waiting = await waitFor(
      () => handle.query(tokenRefreshStatusQuery),
      (s) => s.phase === 'waiting' && Date.parse(s.refreshAt!) - Date.now() > (LONG_ACCESS_TOKEN_TTL_SECONDS / 2) * 1000,
      { timeoutMs: 10_000, what: 'sleeping on a long-lived token' },
    );
    // refreshNow does not wait for the timer: it cancels it and forces a refresh, audited as requested.
    await handle.signal(refreshNowSignal);
    const signalled = await waitFor(
      () => handle.query(tokenRefreshStatusQuery),
      (s) => s.refreshes > waiting.refreshes,
      { timeoutMs: 5_000, what: 'a refresh on refreshNow' },
    );
    expect(Date.parse(signalled.lastRefreshedAt!)).toBeLessThan(Date.parse(waiting.refreshAt!));
    expect((await refreshTriggers(connection.id)()).at(-1)).toBe('request');
    expect((await handle.fetchHistory()).events!.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(1);

    // The user revokes the app at the platform: the next refresh (asked for at once) is refused and the loop ends.
    await server.revoke((await stored(connection.id)).refresh_token!);
    await handle.signal(refreshNowSignal);
    const result = await handle.result();
    expect(result.status).toBe('reauth_required');
    expect((await row(connection.id)).status).toBe('reauth_required');
    expect((await syncSchedule.describe()).state).toMatchObject({ paused: true, note: 'connection is reauth_required' });
    await syncSchedule.delete();
    const audits = await harness.database.db
      .selectFrom('audit_log')
      .select(['outcome', 'details'])
      .where('target_id', '=', connection.id)
      .where('action', '=', 'token.refresh')
      .orderBy('id')
      .execute();
    expect(audits.at(-1)).toMatchObject({ outcome: 'failure', details: { error: 'invalid_grant', trigger: 'request' } });
    expect(audits.filter((a) => a.outcome === 'success').length).toBe(result.refreshes);
    expect((await handle.query(tokenRefreshStatusQuery)).endedBecause).toBe('reauth_required');

    // Nothing secret in the history: ids, instants and statuses only (payloads are encrypted too).
    const history = JSON.stringify(await handle.fetchHistory());
    for (const secret of [first.access_token!, first.refresh_token!, second.refresh_token!]) expect(history).not.toContain(secret);

    // Search attributes, as every workflow of the project carries them.
    expect((await handle.describe()).searchAttributes).toMatchObject({ OrgId: [orgId], Platform: ['hubspot'], ConnectionId: [connection.id] });
  });

  it('ends at once for a connection that is gone', async () => {
    const handle = await startTokenRefreshWorkflow(harness.temporal.client, taskQueue, { id: randomUUID(), org_id: orgId, platform: 'hubspot' });
    expect(await handle.result()).toEqual({ status: 'connection_gone', refreshes: 0 });
  });
});
