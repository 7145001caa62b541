import { randomUUID } from 'node:crypto';
import { createSyncCredentialRefresher, refreshConnectionToken, type TokenRefreshDeps } from '../../services/connection-token-refresh';
import { connectionCredentials } from '../../db/repositories/connections';
import { type OAuthTestServer, startOAuthTestServer } from '../support/oauth-server-process';
import { createOAuthTestApi } from '../support/oauth-test-api';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

describe('OAuth token refresh (locked, compare-and-swap, rotation-aware)', () => {
  let harness: TestHarness;
  let server: OAuthTestServer;
  let api: ReturnType<typeof createOAuthTestApi>;
  let deps: TokenRefreshDeps;
  const orgId = `org-refresh-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    server = await startOAuthTestServer({ scopes: ['oauth', 'crm.objects.contacts.read'] });
    api = createOAuthTestApi(harness, {
      taskQueue: uniqueName('oauth-refresh'),
      oauthEnv: {
        ...server.oauthEnv('hubspot'),
      },
      // These tests run the refresh themselves.
      scheduleTokenRefresh: false,
    });
    deps = { db: harness.database.db, vault: harness.vault, oauth: api.oauth.client };
  });
  afterAll(async () => {
    await server?.stop();
    await harness.close();
  });

  async function connect(): Promise<string> {
    const editor = await api.token(orgId, 'editor', 'alice');
    const completed = await api.connect(editor, {
      platform: 'hubspot',
      redirect_uri: server.redirectUri,
      account_id: `portal-${randomUUID().slice(0, 8)}`,
      data_mode: 'mock',
    });
    return completed.connection.id;
  }
  const row = (id: string) => harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const stored = async (id: string) => harness.vault.open(id, connectionCredentials(await row(id)));
  const refreshAudits = (id: string) =>
    harness.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', id).where('action', '=', 'token.refresh').orderBy('id').execute();

  it('stores the new access token and the rotated refresh token; the old refresh token no longer works at the platform', async () => {
    const id = await connect();
    const before = await stored(id);
    const outcome = await refreshConnectionToken(deps, id, before.access_token!);
    expect(outcome).toMatchObject({ status: 'refreshed', rotated: true });
    const after = await stored(id);
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after).toMatchObject({ token_type: 'Bearer', scope: before.scope });
    expect((await row(id)).credentials_ciphertext.includes(Buffer.from(after.refresh_token!))).toBe(false);
    expect(await refreshAudits(id)).toEqual([
      expect.objectContaining({ outcome: 'success', actor_id: 'system:token-refresh', details: expect.objectContaining({ trigger: 'sync', rotated: true }) }),
    ]);
    expect(JSON.stringify(await refreshAudits(id))).not.toContain(after.refresh_token!);

    const reused = await server.refreshDirectly(before.refresh_token!);
    expect({ status: reused.status, error: reused.body.error }).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('does nothing but hand back the newer token when another refresh already replaced the one seen', async () => {
    const id = await connect();
    const seen = (await stored(id)).access_token!;
    await refreshConnectionToken(deps, id, seen);
    const current = await stored(id);
    const outcome = await refreshConnectionToken(deps, id, seen);
    expect(outcome).toMatchObject({ status: 'current', credentials: { access_token: current.access_token, refresh_token: current.refresh_token } });
    expect(await stored(id)).toEqual(current);
    expect(await refreshAudits(id)).toHaveLength(1);
  });

  it('lets concurrent refreshes of one token call the platform once: no stale refresh token is ever replayed', async () => {
    const id = await connect();
    const seen = (await stored(id)).access_token!;
    // A replayed rotated refresh token would make the server revoke the whole grant.
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => refreshConnectionToken(deps, id, seen)));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['current', 'current', 'current', 'current', 'refreshed']);
    const current = await stored(id);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ credentials: { access_token: current.access_token } });
    expect(await refreshConnectionToken(deps, id, current.access_token!)).toMatchObject({ status: 'refreshed' });
    expect((await row(id)).status).toBe('active');
  });

  it('marks the connection reauth_required and audits the failure when the platform refuses the refresh token (invalid_grant)', async () => {
    const id = await connect();
    const credentials = await stored(id);
    await server.revoke(credentials.refresh_token!);
    const outcome = await refreshConnectionToken(deps, id, credentials.access_token!);
    expect(outcome).toEqual({ status: 'reauth_required' });
    expect((await row(id)).status).toBe('reauth_required');
    expect(await refreshAudits(id)).toEqual([
      expect.objectContaining({ outcome: 'failure', details: expect.objectContaining({ error: 'invalid_grant', platform: 'hubspot' }) }),
    ]);
    // Known dead: later attempts do not call the platform again.
    expect(await refreshConnectionToken(deps, id, credentials.access_token!)).toEqual({ status: 'reauth_required' });
    expect(await refreshAudits(id)).toHaveLength(1);
  });

  it("serves the sync path's refreshCredentials: renewed credentials, or null once re-authorisation is needed", async () => {
    const refreshCredentials = createSyncCredentialRefresher(deps);
    const id = await connect();
    const rejected = await stored(id);
    const renewed = await refreshCredentials({ connectionId: id, rejected });
    expect(renewed).toEqual(await stored(id));
    expect(renewed!.access_token).not.toBe(rejected.access_token);

    await server.revoke(renewed!.refresh_token!);
    expect(await refreshCredentials({ connectionId: id, rejected: renewed! })).toBeNull();
    expect(await refreshCredentials({ connectionId: randomUUID(), rejected })).toBeNull();
  });
});
