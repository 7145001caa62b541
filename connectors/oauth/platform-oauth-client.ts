import { type BaseClient, custom, errors, generators, Issuer, type TokenSet } from 'openid-client';
import { isOAuthPlatform, type OAuthConfig, type OAuthPlatformSettings } from '../../config/oauth-platforms';
import type { PlatformId } from '../../domain/platforms';
import { type OAuthTokens } from './oauth-credentials';
import { OAuthProviderError, OAuthProviderUnavailableError } from './oauth-errors';
import { exchangeTikTokAuthCode, tiktokAuthorizationUrl } from './tiktok-business-oauth';

/** Whether a platform can run the OAuth flow here. */
export type OAuthAvailability = { status: 'ready' } | { status: 'not_oauth' } | { status: 'not_configured' };

export interface AuthorizationRequest {
  accountId: string;
  redirectUri: string;
  state: string;
  /** The PKCE verifier; only its S256 challenge leaves the server here. */
  codeVerifier: string;
}

export interface CodeExchange {
  accountId: string;
  redirectUri: string;
  state: string;
  code: string;
  codeVerifier: string;
}

export interface TokenRefreshRequest {
  accountId: string;
  refreshToken: string;
}

/**
 * Speaks OAuth 2.0 with the platforms (openid-client, plain OAuth: no ID token is required or
 * verified; one in a token answer is ignored, as RFC 6749 §5.1 has a client do with values it does not use): builds authorization URLs with PKCE S256, exchanges codes, refreshes tokens. Failures
 * are OAuthProviderError (the platform said no) or OAuthProviderUnavailableError (retry later).
 */
export interface PlatformOAuthClient {
  availability(platform: PlatformId): OAuthAvailability;
  /** A message when the platform's endpoints need the account id (Shopify's shop) and this one cannot serve. */
  accountProblem(platform: PlatformId, accountId: string | undefined): string | null;
  authorizationUrl(platform: PlatformId, request: AuthorizationRequest): string;
  exchangeCode(platform: PlatformId, exchange: CodeExchange): Promise<OAuthTokens>;
  refresh(platform: PlatformId, request: TokenRefreshRequest): Promise<OAuthTokens>;
}

/** The random values of one authorization: the state (also the row's key) and the PKCE verifier. */
export function generateAuthorizationSecrets(): { state: string; codeVerifier: string } {
  return { state: generators.state(), codeVerifier: generators.codeVerifier() };
}

/** Shopify's shop handle: the `<shop>` of `<shop>.myshopify.com`. */
const SHOP_HANDLE = /^[a-z0-9][a-z0-9-]{0,62}$/i;
const SHOP_PLACEHOLDER = '{shop}';

/** Provider error descriptions are shown to users; keep them short. */
const MAX_DESCRIPTION = 300;

export function createPlatformOAuthClient(config: Pick<OAuthConfig, 'platforms'>, options: { timeoutMs?: number } = {}): PlatformOAuthClient {
  const timeoutMs = options.timeoutMs ?? 10_000;

  function settingsFor(platform: PlatformId): OAuthPlatformSettings {
    const settings = isOAuthPlatform(platform) ? config.platforms[platform] : undefined;
    if (!settings) throw new Error(`OAuth is not configured for ${platform}`);
    return settings;
  }

  function endpoint(template: string, accountId: string): string {
    if (!template.includes(SHOP_PLACEHOLDER)) return template;
    const shop = accountId.replace(/\.myshopify\.com$/i, '');
    if (!SHOP_HANDLE.test(shop)) throw new Error('The account id is not a shop handle');
    return template.replaceAll(SHOP_PLACEHOLDER, shop.toLowerCase());
  }

  /** A client per call: endpoints may depend on the account (Shopify), and building one is cheap. */
  function clientFor(settings: OAuthPlatformSettings, accountId: string): BaseClient {
    const authorizationEndpoint = endpoint(settings.authorizeUrl, accountId);
    const issuer = new Issuer({
      issuer: new URL(authorizationEndpoint).origin,
      authorization_endpoint: authorizationEndpoint,
      token_endpoint: endpoint(settings.tokenUrl, accountId),
    });
    const client = new issuer.Client({
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      token_endpoint_auth_method: settings.tokenEndpointAuthMethod,
      response_types: ['code'],
    });
    client[custom.http_options] = (_url, httpOptions) => ({ ...httpOptions, timeout: timeoutMs });
    return client;
  }

  async function requestTokens(settings: OAuthPlatformSettings, grant: () => Promise<TokenSet>): Promise<OAuthTokens> {
    let tokenSet: TokenSet;
    try {
      tokenSet = await grant();
    } catch (err) {
      throw translateError(err);
    }
    return normaliseTokens(tokenSet, settings);
  }

  return {
    availability(platform) {
      if (!isOAuthPlatform(platform)) return { status: 'not_oauth' };
      const settings = config.platforms[platform];
      if (!settings) return { status: 'not_configured' };
      return { status: 'ready' };
    },

    accountProblem(platform, accountId) {
      const settings = isOAuthPlatform(platform) ? config.platforms[platform] : undefined;
      if (settings?.accountIdFormat)
        return accountId !== undefined && settings.accountIdFormat.pattern.test(accountId) ? null : settings.accountIdFormat.message;
      if (!settings || ![settings.authorizeUrl, settings.tokenUrl].some((url) => url.includes(SHOP_PLACEHOLDER))) return null;
      const message = `account_id must be the shop's handle, the <shop> of <shop>.myshopify.com`;
      return accountId !== undefined && SHOP_HANDLE.test(accountId.replace(/\.myshopify\.com$/i, '')) ? null : message;
    },

    authorizationUrl(platform, request) {
      const settings = settingsFor(platform);
      if (settings.protocol === 'tiktok_business') return tiktokAuthorizationUrl(settings, request);
      return clientFor(settings, request.accountId).authorizationUrl({
        ...settings.authorizeParams,
        redirect_uri: request.redirectUri,
        // openid-client defaults the scope to "openid"; a platform without scopes sends none.
        scope: settings.scopes.length > 0 ? settings.scopes.join(settings.scopeSeparator) : null,
        state: request.state,
        code_challenge: generators.codeChallenge(request.codeVerifier),
        code_challenge_method: 'S256',
      } as Parameters<BaseClient['authorizationUrl']>[0]);
    },

    exchangeCode(platform, exchange) {
      const settings = settingsFor(platform);
      if (settings.protocol === 'tiktok_business') return exchangeTikTokAuthCode(settings, exchange, timeoutMs);
      const client = clientFor(settings, exchange.accountId);
      // The plain grant, not oauthCallback: that refuses an answer with an id_token (PayPal's always has one; any
      // platform's may), which would need OIDC validation we have no use for. The API has checked the state already.
      return requestTokens(settings, () =>
        client.grant({ grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri, code_verifier: exchange.codeVerifier }),
      );
    },

    refresh(platform, request) {
      const settings = settingsFor(platform);
      // TikTok's advertiser tokens do not expire and come without a refresh token: nothing can renew one.
      if (settings.protocol === 'tiktok_business')
        return Promise.reject(new OAuthProviderError('invalid_grant', 'TikTok advertiser tokens cannot be refreshed; authorize again', null));
      const client = clientFor(settings, request.accountId);
      // client.refresh would validate an id_token in the answer, which needs the platform's keys; none is used.
      return requestTokens(settings, () => client.grant({ grant_type: 'refresh_token', refresh_token: request.refreshToken }));
    },
  };
}

function normaliseTokens(tokenSet: TokenSet, settings: OAuthPlatformSettings): OAuthTokens {
  // Some platforms (Zoho) answer errors with HTTP 200.
  if (typeof tokenSet.access_token !== 'string' || tokenSet.access_token.length === 0) {
    const error = typeof tokenSet.error === 'string' ? tokenSet.error : 'invalid_token_response';
    const description = typeof tokenSet.error_description === 'string' ? tokenSet.error_description : 'the token endpoint answered no access_token';
    throw new OAuthProviderError(error, shorten(description), 200);
  }
  const extraFields: Record<string, string> = {};
  for (const field of settings.tokenResponseFields ?? []) {
    const value = tokenSet[field];
    if (typeof value === 'string') extraFields[field] = value;
  }
  return {
    accessToken: tokenSet.access_token,
    refreshToken: typeof tokenSet.refresh_token === 'string' && tokenSet.refresh_token.length > 0 ? tokenSet.refresh_token : null,
    expiresAt: typeof tokenSet.expires_at === 'number' ? new Date(tokenSet.expires_at * 1000) : null,
    tokenType: typeof tokenSet.token_type === 'string' ? tokenSet.token_type : null,
    scope: typeof tokenSet.scope === 'string' ? tokenSet.scope : null,
    extraFields,
  };
}

/**
 * openid-client's errors into ours. Only the platform's error code, description and HTTP status
 * are kept: the request (code, verifier, refresh token, client secret) never reaches a message.
 */
function translateError(err: unknown): Error {
  if (err instanceof errors.OPError) {
    const status = err.response?.statusCode ?? null;
    if (status !== null && (status >= 500 || status === 429)) return new OAuthProviderUnavailableError(`The token endpoint answered HTTP ${status}`);
    // openid-client words a non-OAuth error body as "expected 200 OK, got: …".
    if (!err.error || err.error.startsWith('expected '))
      return new OAuthProviderError('invalid_token_response', `the token endpoint answered HTTP ${status ?? 'without a status'}`, status);
    return new OAuthProviderError(err.error, err.error_description ? shorten(err.error_description) : null, status);
  }
  if (err instanceof errors.RPError) {
    if (/timed out/i.test(err.message)) return new OAuthProviderUnavailableError('The token endpoint did not answer in time');
    return new OAuthProviderError('invalid_token_response', 'the token endpoint answer could not be used', null);
  }
  if (err instanceof SyntaxError) return new OAuthProviderError('invalid_token_response', 'the token endpoint answered something other than JSON', null);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return new OAuthProviderUnavailableError(`The token endpoint could not be reached (${code})`);
  return err instanceof Error ? err : new Error(String(err));
}

function shorten(text: string): string {
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}
