import { z } from 'zod';
import type { OAuthPlatformSettings } from '../../config/oauth-platforms';
import { ConnectorError } from '../connector-error';
import { createJsonHttpClient } from '../http-client';
import { OPERATOR_CONFIGURED_ENDPOINTS } from '../platform-network';
import { classifyTikTokError } from '../tiktok/return-codes';
import { tiktokReply } from '../tiktok/envelope';
import type { OAuthTokens } from './oauth-credentials';
import { OAuthProviderError, OAuthProviderUnavailableError } from './oauth-errors';

/**
 * TikTok API for Business advertiser authorization (https://business-api.tiktok.com/portal/docs?id=1738373164380162).
 * Not standard OAuth 2.0: the authorization page takes `app_id` and no PKCE, the platform redirects back with
 * `auth_code`, and the code is exchanged by a JSON POST of `{app_id, secret, auth_code}` whose answer is TikTok's usual
 * `{code, message, data}` envelope. The token is long-lived (no expiry, no refresh token) and lists the advertisers
 * the user granted.
 */

/** Auth code expired, already used or unknown: TikTok's codes live 10 minutes and serve once. */
const AUTH_CODE_REJECTED = 40131;

const tokenData = z.object({
  access_token: z.string().min(1),
  advertiser_ids: z.array(z.string()).default([]),
  // Permission ids granted to the app.
  scope: z.array(z.union([z.number(), z.string()])).default([]),
});

/** The authorization page's URL; TikTok ignores PKCE, so the state alone protects the round trip. */
export function tiktokAuthorizationUrl(settings: OAuthPlatformSettings, request: { redirectUri: string; state: string }): string {
  const url = new URL(settings.authorizeUrl);
  url.searchParams.set('app_id', settings.clientId);
  url.searchParams.set('state', request.state);
  url.searchParams.set('redirect_uri', request.redirectUri);
  return url.href;
}

/**
 * Exchanges an auth code for the long-lived token of the advertiser `accountId`, which the user must have granted.
 * The app secret and the code travel only in the request body; no message carries them.
 */
export async function exchangeTikTokAuthCode(
  settings: OAuthPlatformSettings,
  exchange: { code: string; accountId: string },
  timeoutMs: number,
): Promise<OAuthTokens> {
  const tokenUrl = new URL(settings.tokenUrl);
  const http = createJsonHttpClient({
    platform: 'TikTok',
    baseUrl: tokenUrl.origin,
    timeoutMs,
    secrets: [settings.clientSecret, exchange.code],
    classifyError: classifyTikTokError,
    network: OPERATOR_CONFIGURED_ENDPOINTS,
  });
  let reply;
  try {
    ({ body: reply } = await http.send(
      { method: 'POST', path: tokenUrl.pathname, body: { app_id: settings.clientId, secret: settings.clientSecret, auth_code: exchange.code } },
      tiktokReply(tokenData),
    ));
  } catch (err) {
    if (err instanceof ConnectorError && (err.kind === 'transient' || err.kind === 'rate_limited'))
      throw new OAuthProviderUnavailableError(`The token endpoint failed (${err.kind})`);
    if (err instanceof ConnectorError)
      throw new OAuthProviderError('invalid_token_response', 'the token endpoint answer could not be used', err.details.status ?? null);
    throw err;
  }
  if (!reply.ok) {
    throw new OAuthProviderError(reply.code === AUTH_CODE_REJECTED ? 'invalid_grant' : `tiktok_${reply.code}`, reply.message.slice(0, 300), 200);
  }
  const { access_token: accessToken, advertiser_ids: advertiserIds, scope } = reply.data;
  if (!advertiserIds.includes(exchange.accountId)) {
    throw new OAuthProviderError(
      'advertiser_not_granted',
      `the authorization covers advertiser${advertiserIds.length === 1 ? '' : 's'} ${advertiserIds.join(', ') || '(none)'}, not ${exchange.accountId}`,
      200,
    );
  }
  return {
    accessToken,
    refreshToken: null,
    expiresAt: null,
    tokenType: null,
    scope: scope.length > 0 ? scope.join(',') : null,
    // The connector reads the advertiser from its credentials.
    extraFields: { advertiser_id: exchange.accountId },
  };
}
