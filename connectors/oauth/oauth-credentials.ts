import type { Credentials } from '../connector';

/** Tokens a platform's token endpoint answered, normalised. */
export interface OAuthTokens {
  accessToken: string;
  /** Null when the platform issued none (Meta, Shopify) or, on a refresh, did not rotate it. */
  refreshToken: string | null;
  /** Null when the platform does not say (Salesforce, non-expiring tokens). */
  expiresAt: Date | null;
  tokenType: string | null;
  scope: string | null;
  /** Platform-specific fields the connector needs (see OAuthPlatformEndpoints.tokenResponseFields). */
  extraFields: Readonly<Record<string, string>>;
}

/**
 * The credentials a connection stores for its OAuth tokens: `access_token`, `refresh_token`,
 * `expires_at` (ISO 8601), `token_type`, `scope`, plus the platform's extra fields. On a refresh,
 * `previous` supplies what the answer leaves out: the refresh token when the platform did not rotate
 * it, the scope, extra fields and anything the user added (Google Ads' developer_token).
 */
export function oauthCredentials(tokens: OAuthTokens, previous: Credentials = {}): Record<string, string> {
  const credentials: Record<string, string> = { ...previous, ...tokens.extraFields, access_token: tokens.accessToken };
  const refreshToken = tokens.refreshToken ?? previous.refresh_token;
  if (refreshToken) credentials.refresh_token = refreshToken;
  if (tokens.expiresAt) credentials.expires_at = tokens.expiresAt.toISOString();
  else delete credentials.expires_at;
  const tokenType = tokens.tokenType ?? previous.token_type;
  if (tokenType) credentials.token_type = tokenType;
  const scope = tokens.scope ?? previous.scope;
  if (scope) credentials.scope = scope;
  return credentials;
}

/** When the stored access token expires; null when unknown or unreadable. */
export function credentialsExpiry(credentials: Credentials): Date | null {
  if (!credentials.expires_at) return null;
  const at = new Date(credentials.expires_at);
  return Number.isNaN(at.getTime()) ? null : at;
}

const TOKEN_FIELDS = new Set(['access_token', 'refresh_token', 'expires_at', 'token_type', 'scope']);

/**
 * Credentials without the tokens of an earlier grant: what a new authorization keeps (fields the
 * user supplied, such as Google Ads' developer_token). An old refresh token must not outlive its grant.
 */
export function withoutTokens(credentials: Credentials): Record<string, string> {
  return Object.fromEntries(Object.entries(credentials).filter(([field]) => !TOKEN_FIELDS.has(field)));
}
