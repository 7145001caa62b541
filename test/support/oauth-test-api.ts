import type { PlatformOAuthDeps } from '../../api/oauth/platform-oauth-deps';
import { loadOAuthConfig } from '../../config/oauth-platforms';
import { createPlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';
import type { PlatformId } from '../../domain/platforms';
import type { Role } from '../../security/access-token';
import { createTestApi } from '../setup/api-client';
import { createTestWorkerActivities, type TestHarness } from '../setup/test-harness';
import { createConnectWorker } from '../../workers/connect-worker';
import { authorizeInBrowser } from './oauth-browser';

const OAUTH_CALLBACK_ROUTE = '/api/v1/platform-connections/oauth/callback';

/**
 * The real API over the shared Postgres and Temporal, with OAuth settings from `oauthEnv` (the
 * `<PLATFORM>_OAUTH_*` variables), and the OAuth flow's steps as a user takes them.
 */
export function createOAuthTestApi(
  harness: TestHarness,
  options: {
    taskQueue: string;
    oauthEnv: NodeJS.ProcessEnv;
    /** Platform API roots for the connection test (local emulators). */
    baseUrls?: Partial<Record<PlatformId, string>>;
    stateTtlSeconds?: number;
    scheduleTokenRefresh?: boolean;
  },
) {
  const config = loadOAuthConfig(options.oauthEnv);
  const oauth: PlatformOAuthDeps = {
    client: createPlatformOAuthClient(config, { timeoutMs: 5_000 }),
    stateTtlSeconds: options.stateTtlSeconds ?? config.stateTtlSeconds,
    scheduleTokenRefresh: options.scheduleTokenRefresh,
  };
  // The real app (access policy included), with these OAuth settings.
  const api = createTestApi(harness, { taskQueue: options.taskQueue, baseUrls: options.baseUrls, oauth });
  const app = api.app;

  const call = api.call;

  const token = (orgId: string, role: Role = 'editor', userId = `${role}-user`) => api.token(orgId, role, userId);

  return {
    app,
    oauth,
    call,
    token,
    initiate: (accessToken: string, body: Record<string, unknown>) =>
      call('POST', '/api/v1/platform-connections/oauth/initiate', { token: accessToken, json: body }),
    callback: (accessToken: string, params: Record<string, string>) =>
      call('GET', `${OAUTH_CALLBACK_ROUTE}?${new URLSearchParams(params)}`, { token: accessToken }),
    /** The whole flow as a user lives it: initiate, the platform's pages, the callback. */
    async connect(accessToken: string, body: { platform: string; redirect_uri: string; account_id?: string; data_mode?: string }) {
      const initiated = await call('POST', '/api/v1/platform-connections/oauth/initiate', { token: accessToken, json: body });
      if (initiated.status !== 201) throw new Error(`initiate answered ${initiated.status}: ${initiated.text}`);
      const returned = await authorizeInBrowser(initiated.json.authorization_url, body.redirect_uri);
      const completed = await call(
        'GET',
        `${OAUTH_CALLBACK_ROUTE}?${new URLSearchParams({ code: returned.get('code') ?? '', state: returned.get('state') ?? '' })}`,
        { token: accessToken },
      );
      if (completed.status >= 300) throw new Error(`callback answered ${completed.status}: ${completed.text}`);
      return completed.json;
    },
  };
}

/** A worker over the activities production composes, with the OAuth test API's client and the token refresh timing the tests shorten. */
export function createTokenRefreshTestWorker(
  harness: TestHarness,
  api: ReturnType<typeof createOAuthTestApi>,
  taskQueue: string,
  tokenRefresh: { refreshSkewMs: number; minRefreshIntervalMs: number },
) {
  return createConnectWorker({
    connection: harness.temporal.nativeConnection,
    namespace: harness.config.temporal.namespace,
    taskQueue,
    activities: createTestWorkerActivities(harness, { taskQueue, oauth: api.oauth.client, tokenRefresh }).activities,
    dataConverter: harness.dataConverter,
    workflowBundlePath: harness.config.workflowBundlePath,
  });
}
