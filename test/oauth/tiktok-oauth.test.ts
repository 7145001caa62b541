import { randomUUID } from 'node:crypto';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { TIKTOK_EMULATOR_APP } from '../../connectors/tiktok/emulator';
import { connectionCredentials } from '../../db/repositories/connections';
import { authorizeInBrowser } from '../support/oauth-browser';
import { createOAuthTestApi } from '../support/oauth-test-api';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const ADVERTISER_ID = '7012345678901234599';
const REDIRECT_URI = 'https://app.liftos.example/oauth/tiktok';

/**
 * TikTok's advertiser authorization against its emulator, which issues and checks auth codes as TikTok documents:
 * app_id on the portal page, a JSON code exchange answered in the {code, message, data} envelope, single-use codes,
 * and a long-lived token that the same emulator's reporting API accepts.
 */
describe('TikTok advertiser authorization', () => {
  let harness: TestHarness;
  let tiktok: RunningEmulator;
  let api: ReturnType<typeof createOAuthTestApi>;
  const orgId = `org-tiktok-${randomUUID().slice(0, 8)}`;

  const oauthEnv = (url: string, secret: string = TIKTOK_EMULATOR_APP.secret) => ({
    TIKTOK_OAUTH_CLIENT_ID: TIKTOK_EMULATOR_APP.appId,
    TIKTOK_OAUTH_CLIENT_SECRET: secret,
    TIKTOK_OAUTH_AUTHORIZE_URL: `${url}/portal/auth`,
    TIKTOK_OAUTH_TOKEN_URL: `${url}/open_api/v1.3/oauth2/access_token/`,
  });

  beforeAll(async () => {
    harness = await openTestHarness();
    tiktok = await startEmulator('tiktok', {
      shape: { accountId: ADVERTISER_ID },
      credentials: { access_token: 'tiktok-long-lived-token-5ac1e0', advertiser_id: ADVERTISER_ID },
    });
    api = createOAuthTestApi(harness, { taskQueue: uniqueName('tiktok-oauth'), baseUrls: { tiktok: tiktok.url }, oauthEnv: oauthEnv(tiktok.url) });
  });
  afterAll(async () => {
    await tiktok?.close();
    await harness.close();
  });

  const initiate = (token: string, body: Record<string, unknown> = {}) =>
    api.initiate(token, { platform: 'tiktok', redirect_uri: REDIRECT_URI, account_id: ADVERTISER_ID, ...body });

  it('authorizes an advertiser, stores its long-lived token sealed, and the connection test reads the advertiser', async () => {
    const editor = await api.token(orgId, 'editor', 'tara');
    const initiated = await initiate(editor, { display_name: 'TikTok ads' });
    expect(initiated.status).toBe(201);
    const url = new URL(initiated.json.authorization_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${tiktok.url}/portal/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ app_id: TIKTOK_EMULATOR_APP.appId, state: initiated.json.state, redirect_uri: REDIRECT_URI });

    const returned = await authorizeInBrowser(initiated.json.authorization_url, REDIRECT_URI);
    expect(returned.get('state')).toBe(initiated.json.state);
    // TikTok names the code auth_code; the front end may hand it over under that name.
    const completed = await api.callback(editor, { auth_code: returned.get('auth_code')!, state: initiated.json.state });
    expect(completed.status).toBe(201);
    expect(completed.json).toMatchObject({
      created: true,
      connection: { platform: 'tiktok', account_id: ADVERTISER_ID, status: 'active', data_mode: 'live', credentials_configured: true },
      connection_test: { ok: true, account_name: `Emulated advertiser ${ADVERTISER_ID}` },
      // Long-lived tokens: nothing to refresh.
      token_refresh_workflow_id: null,
    });
    expect(completed.text).not.toContain(tiktok.credentials.access_token);
    expect(completed.text).not.toContain(TIKTOK_EMULATOR_APP.secret);

    const id = completed.json.connection.id;
    const row = await harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(harness.vault.open(id, connectionCredentials(row))).toEqual({
      access_token: tiktok.credentials.access_token,
      advertiser_id: ADVERTISER_ID,
      scope: '1,2,4',
    });
    expect(row.credentials_ciphertext.includes(Buffer.from(tiktok.credentials.access_token!))).toBe(false);
  });

  it('refuses a code that was already exchanged, as TikTok does (40131)', async () => {
    const editor = await api.token(orgId, 'editor', 'tara');
    const first = await initiate(editor);
    const code = (await authorizeInBrowser(first.json.authorization_url, REDIRECT_URI)).get('code')!;
    expect((await api.callback(editor, { code, state: first.json.state })).status).toBe(200); // the same advertiser again: updated

    const second = await initiate(editor);
    const replayed = await api.callback(editor, { code, state: second.json.state });
    expect(replayed.status).toBe(400);
    expect(replayed.json.error).toMatchObject({
      code: 'oauth_provider_error',
      details: { provider_error: 'invalid_grant', provider_error_description: 'Authorization code is expired.' },
    });
    expect(replayed.text).not.toContain(code);
  });

  it('refuses an authorization that does not grant the advertiser the connection names', async () => {
    const editor = await api.token(orgId, 'editor', 'tara');
    const initiated = await initiate(editor, { account_id: '7099999999999999999' });
    const code = (await authorizeInBrowser(initiated.json.authorization_url, REDIRECT_URI)).get('code')!;
    const refused = await api.callback(editor, { code, state: initiated.json.state });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toMatchObject({
      provider_error: 'advertiser_not_granted',
      provider_error_description: expect.stringContaining(ADVERTISER_ID),
    });
    const stored = await harness.database.db
      .selectFrom('user_platform_connections')
      .select('id')
      .where('org_id', '=', orgId)
      .where('account_id', '=', '7099999999999999999')
      .execute();
    expect(stored).toEqual([]);
  });

  it('needs the advertiser id up front, and reports a wrong app secret without echoing it', async () => {
    const editor = await api.token(orgId, 'editor', 'tara');
    for (const accountId of [undefined, 'not-an-advertiser']) {
      const res = await api.initiate(editor, { platform: 'tiktok', redirect_uri: REDIRECT_URI, ...(accountId ? { account_id: accountId } : {}) });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'account_id', message: expect.stringMatching(/advertiser id/) }] });
    }

    const wrongSecret = 'not-the-app-secret-4411';
    const misconfigured = createOAuthTestApi(harness, {
      taskQueue: uniqueName('tiktok-oauth-bad'),
      baseUrls: { tiktok: tiktok.url },
      oauthEnv: oauthEnv(tiktok.url, wrongSecret),
    });
    const user = await misconfigured.token(orgId, 'editor', 'tara');
    const initiated = await misconfigured.initiate(user, { platform: 'tiktok', redirect_uri: REDIRECT_URI, account_id: ADVERTISER_ID });
    const code = (await authorizeInBrowser(initiated.json.authorization_url, REDIRECT_URI)).get('code')!;
    const refused = await misconfigured.callback(user, { code, state: initiated.json.state });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toMatchObject({ provider_error: 'tiktok_40001' });
    expect(refused.text).not.toContain(wrongSecret);
  });
});
