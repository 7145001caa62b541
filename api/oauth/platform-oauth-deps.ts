import type { PlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';

/** What the OAuth routes need beyond the rest of the API's dependencies (AppDeps field `oauth`). */
export interface PlatformOAuthDeps {
  client: PlatformOAuthClient;
  /** How long an initiated authorization stays usable (OAUTH_STATE_TTL_SECONDS, default 600). */
  stateTtlSeconds: number;
  /** Start a token refresh workflow for connections whose tokens expire (default true). */
  scheduleTokenRefresh?: boolean;
  now?: () => Date;
}
