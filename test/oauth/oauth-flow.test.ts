import { createHash, randomUUID } from 'node:crypto';
import { generators } from 'openid-client';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { oauthStateSecret, oauthStateSecretColumns } from '../../db/repositories/oauth-states';
import { connectionCredentials } from '../../db/repositories/connections';
import { connectionSyncScheduleId, tokenRefreshWorkflowId } from '../../domain/workflow-ids';
import { createConnectionSyncSchedules } from '../../schedules/connection-sync-schedule';
import { authorizeInBrowser } from '../support/oauth-browser';
import { type OAuthTestServer, startOAuthTestServer } from '../support/oauth-server-process';
import { createOAuthTestApi } from '../support/oauth-test-api';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

/** HubSpot's documented scopes, served by a real authorization server standing in for HubSpot's. */
const SCOPES = ['oauth', 'crm.objects.contacts.read'];

describe('OAuth 2.0 authorization code flow with PKCE', () => {
  let harness: TestHarness;
  let server: OAuthTestServer;
  let api: ReturnType<typeof createOAuthTestApi>;
  let hubspot: RunningEmulator;
  const taskQueue = uniqueName('oauth-flow');
  const orgId = `org-oauth-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    server = await startOAuthTestServer({ scopes: SCOPES });
    hubspot = await startEmulator('hubspot');
    api = createOAuthTestApi(harness, {
      taskQueue,
      baseUrls: { hubspot: hubspot.url },
      oauthEnv: {
        ...server.oauthEnv('hubspot'),
        TIKTOK_OAUTH_CLIENT_ID: 'tiktok-app',
        TIKTOK_OAUTH_CLIENT_SECRET: 'tiktok-secret',
      },
    });
  });
  afterAll(async () => {
    // No worker polls this queue: the refresh loops the callbacks started are ended here.
    const loops = harness.temporal.client.workflow.list({ query: `OrgId = "${orgId}" AND ExecutionStatus = "Running"` });
    for await (const loop of loops)
      await harness.temporal.client.workflow
        .getHandle(loop.workflowId)
        .terminate('test cleanup')
        .catch(() => {});
    await server?.stop();
    await hubspot?.close();
    await harness.close();
  });

  const initiate = (token: string, body: Record<string, unknown> = {}) =>
    api.initiate(token, { platform: 'hubspot', redirect_uri: server.redirectUri, ...body });
  const stateRow = (state: string) => harness.database.db.selectFrom('platform_oauth_states').selectAll().where('state', '=', state).executeTakeFirstOrThrow();
  const auditRows = (action: string) =>
    harness.database.db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('action', '=', action).orderBy('id').execute();

  it('initiates, authorises at the platform, and stores the tokens sealed as the connection credentials', async () => {
    const editor = await api.token(orgId, 'editor', 'alice');
    const initiated = await initiate(editor, { account_id: 'portal-1', display_name: 'HubSpot portal 1' });
    expect(initiated.status).toBe(201);
    const { authorization_url: authorizationUrl, state, expires_at: expiresAt } = initiated.json;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);

    // The verifier is sealed in the state row; only its S256 challenge left the server.
    const row = await stateRow(state);
    expect(row).toMatchObject({ org_id: orgId, user_id: 'alice', platform: 'hubspot', redirect_uri: server.redirectUri, consumed_at: null });
    const verifier = harness.vault.open(state, oauthStateSecret(row)).code_verifier!;
    const url = new URL(authorizationUrl);
    expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl).not.toContain(verifier);
    expect(row.code_verifier_ciphertext.includes(Buffer.from(verifier))).toBe(false);

    const returned = await authorizeInBrowser(authorizationUrl, server.redirectUri);
    expect(returned.get('state')).toBe(state);
    const completed = await api.callback(editor, { code: returned.get('code')!, state });
    expect(completed.status).toBe(201);
    expect(completed.json).toMatchObject({
      created: true,
      connection: {
        platform: 'hubspot',
        account_id: 'portal-1',
        display_name: 'HubSpot portal 1',
        status: 'active',
        data_mode: 'live',
        credentials_configured: true,
      },
      // The emulator knows none of this server's tokens: the test fails, is reported, and the connection stays.
      connection_test: { ok: false, message: expect.stringMatching(/hubspot/i) },
    });
    const id = completed.json.connection.id;
    expect(completed.json.token_refresh_workflow_id).toBe(tokenRefreshWorkflowId(id));

    const connection = await harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const credentials = harness.vault.open(id, connectionCredentials(connection));
    expect(credentials).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      token_type: 'Bearer',
      scope: SCOPES.join(' '),
    });
    expect(Date.parse(credentials.expires_at!)).toBeGreaterThan(Date.now());
    for (const secret of [credentials.access_token!, credentials.refresh_token!]) {
      expect(connection.credentials_ciphertext.includes(Buffer.from(secret))).toBe(false);
      expect(completed.text).not.toContain(secret);
    }
    expect(completed.text).not.toContain(server.clientSecret);
    expect((await stateRow(state)).consumed_at).not.toBeNull();

    // The refresh loop was started with the three search attributes.
    const loop = await harness.temporal.client.workflow.getHandle(tokenRefreshWorkflowId(id)).describe();
    expect(loop.searchAttributes).toMatchObject({ OrgId: [orgId], Platform: ['hubspot'], ConnectionId: [id] });

    expect((await auditRows('oauth.initiate')).at(-1)).toMatchObject({ actor_id: 'alice', outcome: 'success', target_type: 'platform', target_id: 'hubspot' });
    expect((await auditRows('oauth.callback')).at(-1)).toMatchObject({
      actor_id: 'alice',
      outcome: 'success',
      target_type: 'connection',
      target_id: id,
      details: { platform: 'hubspot', created: true, connection_test: 'failed', token_refresh_scheduled: true },
    });
    expect((await auditRows('connection.create')).at(-1)).toMatchObject({ target_id: id, outcome: 'success' });

    // The state is single-use: the same redirect replayed is refused, and audited.
    const replayed = await api.callback(editor, { code: returned.get('code')!, state });
    expect(replayed.status).toBe(400);
    expect(replayed.json.error).toMatchObject({ code: 'state_used', details: { field: 'state' } });
    expect((await auditRows('oauth.callback')).at(-1)).toMatchObject({ outcome: 'failure', details: { reason: 'state_used' } });
  });

  it('ignores an id_token in the token answers (RFC 6749 §5.1): the callback and the refresh succeed', async () => {
    // Asking for openid makes the authorization server answer every grant with an id_token, unrequested by this client.
    const openIdApi = createOAuthTestApi(harness, {
      taskQueue,
      baseUrls: { hubspot: hubspot.url },
      oauthEnv: { ...server.oauthEnv('hubspot'), HUBSPOT_OAUTH_SCOPES: ['openid', ...SCOPES].join(' ') },
    });
    const editor = await openIdApi.token(orgId, 'editor', 'dora');
    const initiated = await openIdApi.initiate(editor, { platform: 'hubspot', redirect_uri: server.redirectUri, account_id: 'portal-openid' });
    expect(initiated.status).toBe(201);
    const returned = await authorizeInBrowser(initiated.json.authorization_url, server.redirectUri);
    const completed = await openIdApi.callback(editor, { code: returned.get('code')!, state: returned.get('state')! });
    expect(completed.status).toBe(201);
    expect(completed.json).toMatchObject({
      created: true,
      connection: { platform: 'hubspot', account_id: 'portal-openid', status: 'active', credentials_configured: true },
    });

    const row = await harness.database.db
      .selectFrom('user_platform_connections')
      .selectAll()
      .where('id', '=', completed.json.connection.id)
      .executeTakeFirstOrThrow();
    const stored = harness.vault.open(row.id, connectionCredentials(row));
    expect(stored).not.toHaveProperty('id_token');
    // The server's refresh answers carry one too; the client's refresh of the rotated token still succeeds.
    const direct = await server.refreshDirectly(stored.refresh_token!);
    expect(direct).toMatchObject({ status: 200, body: { id_token: expect.any(String), refresh_token: expect.any(String) } });
    const refreshed = await openIdApi.oauth.client.refresh('hubspot', { accountId: 'portal-openid', refreshToken: String(direct.body.refresh_token) });
    expect(refreshed).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
  });

  it('re-authorising the same account updates its connection: new tokens, active again', async () => {
    const editor = await api.token(orgId, 'editor', 'alice');
    const first = await api.connect(editor, { platform: 'hubspot', redirect_uri: server.redirectUri, account_id: 'portal-2', data_mode: 'mock' });
    expect(first).toMatchObject({ created: true, connection: { data_mode: 'mock' }, connection_test: { ok: true } });
    const id = first.connection.id;
    const before = harness.vault.open(
      id,
      connectionCredentials(await harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
    );
    // A daily connection whose Schedule was paused when the platform rejected its tokens.
    const needingReauth = await harness.database.db
      .updateTable('user_platform_connections')
      .set({ status: 'reauth_required', sync_frequency: 'daily' })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await createConnectionSyncSchedules(harness.temporal.client, taskQueue).reconcile(needingReauth);
    const schedule = harness.temporal.client.schedule.getHandle(connectionSyncScheduleId(id));
    expect((await schedule.describe()).state.paused).toBe(true);

    const second = await api.connect(editor, { platform: 'hubspot', redirect_uri: server.redirectUri, account_id: 'portal-2' });
    expect(second).toMatchObject({ created: false, connection: { id, status: 'active', data_mode: 'mock' } });
    expect((await schedule.describe()).state.paused).toBe(false);
    await schedule.delete();
    const after = harness.vault.open(
      id,
      connectionCredentials(await harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
    );
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token);
  });

  it('refuses an expired state', async () => {
    const editor = await api.token(orgId, 'editor', 'alice');
    const { state, authorization_url: authorizationUrl } = (await initiate(editor)).json;
    const returned = await authorizeInBrowser(authorizationUrl, server.redirectUri);
    await harness.database.db
      .updateTable('platform_oauth_states')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('state', '=', state)
      .execute();
    const res = await api.callback(editor, { code: returned.get('code')!, state });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('state_expired');
  });

  it("refuses another user's or another org's state, which stays usable by its owner", async () => {
    const alice = await api.token(orgId, 'editor', 'alice');
    const bob = await api.token(orgId, 'editor', 'bob');
    const stranger = await api.token(`org-other-${randomUUID().slice(0, 8)}`, 'editor', 'alice');
    const { state, authorization_url: authorizationUrl } = (await initiate(alice, { account_id: 'portal-3' })).json;
    const returned = await authorizeInBrowser(authorizationUrl, server.redirectUri);
    for (const token of [bob, stranger]) {
      const res = await api.callback(token, { code: returned.get('code')!, state });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('invalid_state');
    }
    expect((await api.callback(alice, { code: returned.get('code')!, state })).status).toBe(201);
    expect((await api.callback(alice, { code: 'made-up', state: 'made-up-state' })).json.error.code).toBe('invalid_state');
  });

  it('answers the platform refusing a wrong PKCE verifier with its error code, and no secrets', async () => {
    const editor = await api.token(orgId, 'editor', 'alice');
    const { state, authorization_url: authorizationUrl } = (await initiate(editor, { account_id: 'portal-4' })).json;
    // Someone swapped the verifier: the platform's check of the S256 challenge must fail.
    const pending = harness.vault.open(state, oauthStateSecret(await stateRow(state)));
    const tampered = oauthStateSecretColumns(harness.vault.seal(state, { ...pending, code_verifier: generators.codeVerifier() }));
    await harness.database.db.updateTable('platform_oauth_states').set(tampered).where('state', '=', state).execute();

    const returned = await authorizeInBrowser(authorizationUrl, server.redirectUri);
    const res = await api.callback(editor, { code: returned.get('code')!, state });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'oauth_provider_error', details: { provider_error: 'invalid_grant' } });
    for (const secret of [server.clientSecret, returned.get('code')!, pending.code_verifier!]) expect(res.text).not.toContain(secret);
    expect(
      await harness.database.db.selectFrom('user_platform_connections').select('id').where('org_id', '=', orgId).where('account_id', '=', 'portal-4').execute(),
    ).toEqual([]);
    expect((await auditRows('oauth.callback')).at(-1)).toMatchObject({
      outcome: 'failure',
      details: { reason: 'provider_error', provider_error: 'invalid_grant' },
    });
  });

  it('answers a declined consent (error=access_denied on the redirect) with 400 and burns the state', async () => {
    const editor = await api.token(orgId, 'editor', 'alice');
    const { state } = (await initiate(editor)).json;
    const res = await api.callback(editor, { error: 'access_denied', error_description: 'The user denied the request', state });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      code: 'oauth_provider_error',
      details: { provider_error: 'access_denied', provider_error_description: 'The user denied the request' },
    });
    expect((await api.callback(editor, { code: 'late', state })).json.error.code).toBe('state_used');
  });

  it('refuses platforms without OAuth or unconfigured, and bad requests', async () => {
    const editor = await api.token(orgId, 'editor', 'alice');
    expect((await initiate(editor, { platform: 'google_ads' })).json.error.code).toBe('oauth_not_configured');
    expect((await initiate(editor, { platform: 'klaviyo' })).json.error.code).toBe('oauth_not_supported');
    expect((await initiate(editor, { platform: 'tiktok' })).json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'account_id' }] });
    expect((await initiate(editor, { redirect_uri: 'javascript:alert(1)' })).json.error).toMatchObject({
      code: 'validation_error',
      details: [{ field: 'redirect_uri' }],
    });
    expect((await api.callback(editor, { state: 'x' })).json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'code' }] });
    expect(
      (await api.call('POST', '/api/v1/platform-connections/oauth/initiate', { json: { platform: 'hubspot', redirect_uri: server.redirectUri } })).status,
    ).toBe(401);
  });
});
