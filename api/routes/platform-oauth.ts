import { Hono } from 'hono';
import { z } from 'zod';
import type { Credentials } from '../../connectors/connector';
import type { OAuthTokens } from '../../connectors/oauth/oauth-credentials';
import { OAuthProviderError, OAuthProviderUnavailableError } from '../../connectors/oauth/oauth-errors';
import { resolveConnectionSource } from '../../services/connection-source-selection';
import { generateAuthorizationSecrets } from '../../connectors/oauth/platform-oauth-client';
import { connectionCredentials } from '../../db/repositories/connections';
import { consumeOAuthState, insertOAuthState, type OAuthStateRejection, oauthStateSecret, oauthStateSecretColumns } from '../../db/repositories/oauth-states';
import type { Connection } from '../../db/schema';
import { DATA_MODES } from '../../domain/connection';
import { PLATFORMS, type PlatformId } from '../../domain/platforms';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv, AuditEvent } from '../app-env';
import { validate } from '../middleware/validate';
import type { PlatformOAuthDeps } from '../oauth/platform-oauth-deps';
import { startTokenRefreshWorkflow } from '../../workflow-clients/token-refresh';
import { storeOAuthConnection } from '../oauth/store-oauth-connection';
import { presentConnection } from '../presenters/connection';
import { applyConnectionSchedule } from '../apply-connection-schedule';
import { InitiateOAuthBody, OAuthCallbackQuery, OAuthConnectedResponse, OAuthInitiatedResponse } from './platform-oauth-schemas';
import { routeDocs } from '../openapi/route-docs';

export type PlatformOAuthRouteDeps = Pick<AppDeps, 'db' | 'vault' | 'connectors' | 'temporal' | 'taskQueue' | 'logger' | 'schedules'> & {
  oauth: PlatformOAuthDeps;
};

/**
 * What initiate remembers for the callback, sealed in the state row under the state as subject:
 * the PKCE verifier (secret) and the connection's settings (not secret, but the row has no columns for them).
 */
const PendingAuthorization = z.object({
  code_verifier: z.string(),
  account_id: z.string(),
  display_name: z.string().optional(),
  data_mode: z.enum(DATA_MODES).optional(),
});
type PendingAuthorization = z.infer<typeof PendingAuthorization>;

const STATE_REJECTIONS: Record<OAuthStateRejection, { code: string; message: string }> = {
  unknown: { code: 'invalid_state', message: 'This authorization state is unknown, or was not issued to you' },
  used: { code: 'state_used', message: 'This authorization state has already been used; start the authorization again' },
  expired: { code: 'state_expired', message: 'This authorization state has expired; start the authorization again' },
};

/** The refusal of a platform whose OAuth flow cannot run here. */
function oauthUnavailable(deps: PlatformOAuthRouteDeps, platform: PlatformId): ApiError | null {
  const availability = deps.oauth.client.availability(platform);
  const info = PLATFORMS[platform];
  switch (availability.status) {
    case 'ready':
      return null;
    case 'not_oauth':
      return new ApiError(
        422,
        'oauth_not_supported',
        `${info.name} connects with ${info.authType} credentials, not OAuth: create the connection with its credentials`,
        { platform },
      );
    case 'not_configured':
      return new ApiError(422, 'oauth_not_configured', `OAuth for ${info.name} is not configured on this deployment (no client id)`, { platform });
  }
}

/** The platform said no (a declined consent, a refused code): its error code, never our request. */
function providerRefusal(error: string, description: string | null): ApiError {
  return new ApiError(400, 'oauth_provider_error', `The platform refused the authorization: ${error}`, {
    provider_error: error,
    provider_error_description: description,
  });
}

const describeRoute = routeDocs('OAuth');
const UNAVAILABLE = 'The platform connects without OAuth (oauth_not_supported), or this deployment has no OAuth client for it (oauth_not_configured)';
const docs = {
  initiate: describeRoute({
    summary: "Starts a platform's OAuth authorisation: the URL to send the user to (PKCE, single-use state)",
    responses: { 201: OAuthInitiatedResponse },
    errors: { 422: UNAVAILABLE },
  }),
  callback: describeRoute({
    summary: 'Completes the authorisation with what the platform put on the redirect URI: the connection, its tokens stored encrypted',
    responses: { 200: [OAuthConnectedResponse, 'An existing connection re-authorised'], 201: [OAuthConnectedResponse, 'A connection created'] },
    errors: {
      400: 'The state is unknown (invalid_state), used (state_used) or expired (state_expired), or the platform refused (oauth_provider_error)',
      422: UNAVAILABLE,
      502: 'The platform could not complete the authorisation (oauth_provider_unavailable)',
    },
  }),
};

/** POST /initiate and GET /callback, mounted at /api/v1/platform-connections/oauth. */
export function platformOAuthRoutes(deps: PlatformOAuthRouteDeps) {
  const now = deps.oauth.now ?? (() => new Date());

  /** A connection test right after authorising: its failure is reported, not fatal. */
  async function testNewConnection(connection: Connection, credentials: Credentials): Promise<{ ok: boolean; message: string; account_name: string | null }> {
    // The source a sync of this connection would use.
    const { source } = await resolveConnectionSource(deps, connection);
    try {
      const result = await deps.connectors.create({ platform: connection.platform, source, accountId: connection.account_id, credentials }).testConnection();
      return { ok: result.ok, message: result.message, account_name: result.accountName };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : 'Connection test failed', account_name: null };
    }
  }

  /** The refresh loop, for tokens that expire and can be refreshed. Not fatal: a sync's 401 refreshes too. */
  async function scheduleTokenRefresh(connection: Connection, tokens: OAuthTokens): Promise<string | null> {
    if (deps.oauth.scheduleTokenRefresh === false || !tokens.refreshToken || !tokens.expiresAt) return null;
    try {
      return (await startTokenRefreshWorkflow(deps.temporal, deps.taskQueue, connection)).workflowId;
    } catch (err) {
      deps.logger.warn({ connectionId: connection.id, error: err instanceof Error ? err.message : String(err) }, 'token refresh workflow not started');
      return null;
    }
  }

  return new Hono<AppEnv>()
    .post('/initiate', docs.initiate, validate('json', InitiateOAuthBody), async (c) => {
      const body = c.req.valid('json');
      const principal = c.get('principal');
      const unavailable = oauthUnavailable(deps, body.platform);
      if (unavailable) throw unavailable;
      const accountProblem = deps.oauth.client.accountProblem(body.platform, body.account_id);
      if (accountProblem) throw new ApiError(400, 'validation_error', 'Invalid request body', [{ field: 'account_id', message: accountProblem }]);

      const accountId = body.account_id ?? 'default';
      const { state, codeVerifier } = generateAuthorizationSecrets();
      const authorizationUrl = deps.oauth.client.authorizationUrl(body.platform, { accountId, redirectUri: body.redirect_uri, state, codeVerifier });
      const pending: PendingAuthorization = {
        code_verifier: codeVerifier,
        account_id: accountId,
        ...(body.display_name ? { display_name: body.display_name } : {}),
        ...(body.data_mode ? { data_mode: body.data_mode } : {}),
      };
      const expiresAt = new Date(now().getTime() + deps.oauth.stateTtlSeconds * 1000);
      await insertOAuthState(deps.db, {
        state,
        org_id: principal.orgId,
        user_id: principal.userId,
        platform: body.platform,
        ...oauthStateSecretColumns(deps.vault.seal(state, { ...pending })),
        redirect_uri: body.redirect_uri,
        expires_at: expiresAt,
        consumed_at: null,
      });
      await c.get('audit')({
        action: 'oauth.initiate',
        targetType: 'platform',
        targetId: body.platform,
        outcome: 'success',
        details: { platform: body.platform, account_id: accountId },
      });
      return c.json({ authorization_url: authorizationUrl, state, expires_at: expiresAt.toISOString() }, 201);
    })
    .get('/callback', docs.callback, validate('query', OAuthCallbackQuery), async (c) => {
      const query = c.req.valid('query');
      const principal = c.get('principal');
      const audit = (event: Omit<AuditEvent, 'action'>) => c.get('audit')({ action: 'oauth.callback', ...event });

      const consumed = await consumeOAuthState(deps.db, { state: query.state, orgId: principal.orgId, userId: principal.userId }, now());
      if (!consumed.ok) {
        const rejection = STATE_REJECTIONS[consumed.reason];
        await audit({ targetType: 'oauth_state', targetId: null, outcome: 'failure', details: { reason: rejection.code } });
        throw new ApiError(400, rejection.code, rejection.message, { field: 'state' });
      }
      const { platform, redirect_uri: redirectUri } = consumed.state;
      const pending = PendingAuthorization.parse(deps.vault.open(query.state, oauthStateSecret(consumed.state)));
      const failed = (details: Record<string, unknown>) =>
        audit({ targetType: 'platform', targetId: platform, outcome: 'failure', details: { platform, ...details } });

      if (query.error) {
        await failed({ reason: 'provider_error', provider_error: query.error });
        throw providerRefusal(query.error, query.error_description ?? null);
      }
      const unavailable = oauthUnavailable(deps, platform);
      if (unavailable) {
        await failed({ reason: unavailable.code });
        throw unavailable;
      }

      let tokens: OAuthTokens;
      try {
        tokens = await deps.oauth.client.exchangeCode(platform, {
          accountId: pending.account_id,
          redirectUri,
          state: query.state,
          code: (query.code ?? query.auth_code)!,
          codeVerifier: pending.code_verifier,
        });
      } catch (err) {
        if (err instanceof OAuthProviderError) {
          await failed({ reason: 'provider_error', provider_error: err.error });
          throw providerRefusal(err.error, err.description);
        }
        if (err instanceof OAuthProviderUnavailableError) {
          await failed({ reason: 'provider_unavailable' });
          throw new ApiError(
            502,
            'oauth_provider_unavailable',
            `${PLATFORMS[platform].name} could not complete the authorization: ${err.message}; start it again`,
          );
        }
        throw err;
      }

      const { connection, created } = await storeOAuthConnection(deps.db, deps.vault, {
        orgId: principal.orgId,
        userId: principal.userId,
        platform,
        accountId: pending.account_id,
        displayName: pending.display_name,
        dataMode: pending.data_mode,
        tokens,
      });
      const connectionTest = await testNewConnection(connection, deps.vault.open(connection.id, connectionCredentials(connection)));
      const refreshWorkflowId = await scheduleTokenRefresh(connection, tokens);
      // A re-authorisation makes the connection active again: its Schedule resumes.
      const schedule = await applyConnectionSchedule(deps, connection.id, () => deps.schedules.reconcile(connection));
      await c.get('audit')({
        action: created ? 'connection.create' : 'connection.update',
        targetType: 'connection',
        targetId: connection.id,
        outcome: 'success',
        details: created
          ? { platform, data_mode: connection.data_mode, via: 'oauth', schedule }
          : { fields: ['credentials', 'status'], via: 'oauth', schedule },
      });
      await audit({
        targetType: 'connection',
        targetId: connection.id,
        outcome: 'success',
        details: { platform, created, connection_test: connectionTest.ok ? 'ok' : 'failed', token_refresh_scheduled: refreshWorkflowId !== null },
      });
      return c.json(
        { connection: presentConnection(connection), created, connection_test: connectionTest, token_refresh_workflow_id: refreshWorkflowId },
        created ? 201 : 200,
      );
    });
}
