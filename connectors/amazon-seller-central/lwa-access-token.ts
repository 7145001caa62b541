import { z } from 'zod';
import type { ConnectorConfig } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { checkCredentialHost, credentialHostRule } from '../credential-hosts';
import { createJsonHttpClient, type PlatformErrorDetails } from '../http-client';

/**
 * Login with Amazon (LWA): every SP-API call carries an LWA access token in `x-amz-access-token`,
 * obtained by exchanging the seller's refresh token with the app's client id and secret
 * (`grant_type=refresh_token`). A token lives an hour; it is kept until shortly before it expires,
 * so a connector exchanges once per hour, not once per request.
 *
 * The token endpoint is Amazon's, whatever the SP-API region; the `lwa_token_url` credential overrides
 * it (a local emulator, say). Like every host a credential names, it must be one the rule allows
 * (Amazon's LWA hosts, credential-hosts.ts), or loopback under the development setting: the client secret travels there.
 */

export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';
/** Renew this long before the announced expiry, so a token never lapses between check and use. */
const EXPIRY_MARGIN_MS = 60_000;

const tokenResponseSchema = z.object({ access_token: z.string().min(1), token_type: z.string().optional(), expires_in: z.number().positive() }).passthrough();

export interface LwaAccessTokens {
  /** A usable access token: the cached one while it lasts, else a fresh exchange. */
  get(): Promise<string>;
  /** Forgets `rejected` after SP-API refused it, so the next `get` exchanges again. */
  invalidate(rejected: string): void;
  /** Whether `get` can exchange for a new token (the credentials hold a refresh token and the app's client). */
  readonly renewable: boolean;
}

export function createLwaAccessTokens(config: Pick<ConnectorConfig, 'credentials' | 'timeoutMs' | 'network'>, now: () => number): LwaAccessTokens {
  const {
    refresh_token: refreshToken,
    client_id: clientId,
    client_secret: clientSecret,
    lwa_token_url: tokenUrl,
    access_token: accessToken,
  } = config.credentials;
  const renewable = Boolean(refreshToken && clientId && clientSecret);
  const rule = credentialHostRule('amazon_seller_central', 'lwa_token_url');
  const check = checkCredentialHost(rule, tokenUrl || LWA_TOKEN_URL, config.network?.allowLoopback ?? false);

  let cached: { token: string; expiresAt: number } | null = null;
  let pending: Promise<string> | null = null;

  async function exchange(): Promise<string> {
    if (!check.ok) throw new ConnectorError('auth', `Amazon Seller Central ${check.message}; reconnect the account`);
    const { url } = check;
    const http = createJsonHttpClient({
      platform: 'Login with Amazon',
      baseUrl: url.origin,
      timeoutMs: config.timeoutMs,
      secrets: Object.values(config.credentials),
      classifyError: classifyLwaError,
      network: config.network,
    });
    // JSON, as Amazon's own SP-API SDKs send it; LWA also takes the form encoding.
    const { body } = await http.send(
      {
        method: 'POST',
        path: url.pathname,
        body: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret },
      },
      tokenResponseSchema,
    );
    cached = { token: body.access_token, expiresAt: now() + body.expires_in * 1000 };
    return body.access_token;
  }

  return {
    renewable,
    async get() {
      if (cached && now() < cached.expiresAt - EXPIRY_MARGIN_MS) return cached.token;
      if (!renewable) {
        // Connected through the OAuth flow: the app's client stays server-side and the token refresh
        // workflow keeps `access_token` current; a rejection surfaces as `auth`, which renews it.
        if (accessToken) return accessToken;
        throw new ConnectorError('auth', 'Amazon Seller Central credentials need refresh_token, client_id and client_secret');
      }
      // Concurrent pages share one exchange.
      pending ??= exchange().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate(rejected) {
      if (cached?.token === rejected) cached = null;
    },
  };
}

const lwaErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() }).passthrough();

/** OAuth 2.0 error codes (RFC 6749 §5.2) as LWA answers them. */
const KIND_BY_LWA_ERROR: Readonly<Record<string, ConnectorErrorKind>> = {
  invalid_grant: 'auth',
  invalid_client: 'auth',
  unauthorized_client: 'auth',
  invalid_scope: 'auth',
  invalid_request: 'malformed',
  unsupported_grant_type: 'malformed',
  server_error: 'transient',
  temporarily_unavailable: 'transient',
};

/** LWA's `{error, error_description}`: a refused refresh token or client is `auth` (the seller must authorise again). */
export function classifyLwaError(failure: { status: number; body: unknown }): PlatformErrorDetails {
  const parsed = lwaErrorSchema.safeParse(failure.body).data;
  if (!parsed) return {};
  return {
    kind: failure.status === 429 ? 'rate_limited' : KIND_BY_LWA_ERROR[parsed.error],
    message: parsed.error_description ? `${parsed.error}: ${parsed.error_description}` : parsed.error,
    platformCode: parsed.error,
  };
}
