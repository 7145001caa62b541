import { z } from 'zod';
import type { PlatformId } from '../domain/platforms';

/**
 * OAuth 2.0 settings of every platform users connect by authorising LiftOS Connect on the platform
 * (authorization code flow, PKCE S256, state): the documented endpoints and scopes below, the client
 * credentials from the environment. Pure data plus `loadOAuthConfig(env)`.
 *
 * Environment, per platform (`<PLATFORM>` is the upper-cased id, e.g. GOOGLE_ADS):
 * - `<PLATFORM>_OAUTH_CLIENT_ID`, `<PLATFORM>_OAUTH_CLIENT_SECRET`: the app's credentials; a platform
 *   without a client id is not configured (initiate answers 422 oauth_not_configured).
 * - `<PLATFORM>_OAUTH_AUTHORIZE_URL`, `<PLATFORM>_OAUTH_TOKEN_URL`: override the endpoints (sandboxes,
 *   regional data centres such as accounts.zoho.eu, local test servers).
 * - `<PLATFORM>_OAUTH_SCOPES`: override the scopes (space- or comma-separated).
 * And for the flow: `OAUTH_STATE_TTL_SECONDS` (default 600), `OAUTH_REFRESH_SKEW_SECONDS` (default 300).
 */

/** Platforms connected through OAuth 2.0: every `oauth2` platform of the registry, plus Amazon (Login with Amazon). */
export const OAUTH_PLATFORM_IDS = [
  'meta_business',
  'google_ads',
  'shopify',
  'amazon_seller_central',
  'hubspot',
  'salesforce',
  'paypal',
  'tiktok',
  'zoho_crm',
  'linkedin_ads',
] as const satisfies readonly PlatformId[];

export type OAuthPlatformId = (typeof OAUTH_PLATFORM_IDS)[number];

export function isOAuthPlatform(platform: string): platform is OAuthPlatformId {
  return (OAUTH_PLATFORM_IDS as readonly string[]).includes(platform);
}

/** What a platform documents about its OAuth endpoints. */
export interface OAuthPlatformEndpoints {
  /** `{shop}` stands for the connection's account id (Shopify's endpoints are per shop). */
  authorizeUrl: string;
  tokenUrl: string;
  scopes: readonly string[];
  /** How the platform joins scopes in the `scope` parameter. */
  scopeSeparator: ' ' | ',';
  /** Fixed authorize parameters the platform needs, e.g. Google's access_type=offline for a refresh token. */
  authorizeParams?: Readonly<Record<string, string>>;
  /** Authorize parameters whose values come from the environment: parameter name → variable name. */
  authorizeParamsFromEnv?: Readonly<Record<string, string>>;
  tokenEndpointAuthMethod: 'client_secret_post' | 'client_secret_basic';
  /** Token-response fields kept in the credentials beside the standard ones (Salesforce's instance_url). */
  tokenResponseFields?: readonly string[];
  /** The platform's own authorization protocol where it departs from OAuth 2.0 (TikTok's: JSON code exchange, no PKCE). */
  protocol?: 'tiktok_business';
  /** What the account id must be, for platforms whose authorization grants named accounts. */
  accountIdFormat?: { pattern: RegExp; message: string };
  /** Where the platform documents its flow. */
  documentation: string;
}

export const OAUTH_PLATFORM_ENDPOINTS: Readonly<Record<OAuthPlatformId, OAuthPlatformEndpoints>> = {
  meta_business: {
    // Graph API version pinned like the connector's; Meta issues no refresh tokens (long-lived user tokens instead).
    authorizeUrl: 'https://www.facebook.com/v21.0/dialog/oauth',
    tokenUrl: 'https://graph.facebook.com/v21.0/oauth/access_token',
    scopes: ['ads_read', 'business_management'],
    scopeSeparator: ',',
    tokenEndpointAuthMethod: 'client_secret_post',
    documentation: 'https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow',
  },
  google_ads: {
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    scopes: ['https://www.googleapis.com/auth/adwords'],
    scopeSeparator: ' ',
    // offline + consent: Google returns a refresh token only on an explicitly consented offline request.
    authorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    tokenEndpointAuthMethod: 'client_secret_post',
    documentation: 'https://developers.google.com/identity/protocols/oauth2/web-server',
  },
  shopify: {
    authorizeUrl: 'https://{shop}.myshopify.com/admin/oauth/authorize',
    tokenUrl: 'https://{shop}.myshopify.com/admin/oauth/access_token',
    scopes: ['read_orders', 'read_customers'],
    scopeSeparator: ',',
    tokenEndpointAuthMethod: 'client_secret_post',
    documentation: 'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant',
  },
  amazon_seller_central: {
    // Selling Partner API website authorization: consent in Seller Central, tokens from Login with Amazon.
    // Amazon redirects with `spapi_oauth_code`; the front end hands it to the callback as `code`.
    authorizeUrl: 'https://sellercentral.amazon.com/apps/authorize/consent',
    tokenUrl: 'https://api.amazon.com/auth/o2/token',
    scopes: [],
    scopeSeparator: ' ',
    authorizeParamsFromEnv: { application_id: 'AMAZON_SELLER_CENTRAL_OAUTH_APPLICATION_ID' },
    tokenEndpointAuthMethod: 'client_secret_post',
    documentation: 'https://developer-docs.amazon.com/sp-api/docs/website-authorization-workflow',
  },
  hubspot: {
    authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    scopes: ['oauth', 'crm.objects.contacts.read'],
    scopeSeparator: ' ',
    tokenEndpointAuthMethod: 'client_secret_post',
    documentation: 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide',
  },
  salesforce: {
    authorizeUrl: 'https://login.salesforce.com/services/oauth2/authorize',
    tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
    scopes: ['api', 'refresh_token'],
    scopeSeparator: ' ',
    tokenEndpointAuthMethod: 'client_secret_post',
    // The org's API host: the connector's base URL for this connection.
    tokenResponseFields: ['instance_url'],
    documentation: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm',
  },
  paypal: {
    authorizeUrl: 'https://www.paypal.com/signin/authorize',
    tokenUrl: 'https://api-m.paypal.com/v1/oauth2/token',
    scopes: ['openid', 'email', 'https://uri.paypal.com/services/paypalattributes'],
    scopeSeparator: ' ',
    authorizeParams: { flowEntry: 'static' },
    tokenEndpointAuthMethod: 'client_secret_basic',
    documentation: 'https://developer.paypal.com/docs/log-in-with-paypal/integrate/',
  },
  tiktok: {
    authorizeUrl: 'https://business-api.tiktok.com/portal/auth',
    tokenUrl: 'https://business-api.tiktok.com/open_api/v1.3/oauth2/access_token/',
    // Permissions are chosen on the app in the TikTok developer portal, not requested per authorization.
    scopes: [],
    scopeSeparator: ',',
    tokenEndpointAuthMethod: 'client_secret_post',
    // The code is exchanged as JSON ({app_id, secret, auth_code}), answered in TikTok's {code, message, data} envelope.
    protocol: 'tiktok_business',
    // The grant lists advertisers; the connection reads the one named here.
    accountIdFormat: { pattern: /^\d{1,25}$/, message: 'account_id must be the TikTok advertiser id (digits) the connection reads' },
    documentation: 'https://business-api.tiktok.com/portal/docs?id=1738373164380162',
  },
  zoho_crm: {
    authorizeUrl: 'https://accounts.zoho.com/oauth/v2/auth',
    tokenUrl: 'https://accounts.zoho.com/oauth/v2/token',
    scopes: ['ZohoCRM.modules.contacts.READ', 'ZohoCRM.settings.READ'],
    scopeSeparator: ',',
    authorizeParams: { access_type: 'offline', prompt: 'consent' },
    tokenEndpointAuthMethod: 'client_secret_post',
    // The data centre that serves the org's API (www.zohoapis.com, .eu, .in, …).
    tokenResponseFields: ['api_domain'],
    documentation: 'https://www.zoho.com/crm/developer/docs/api/v8/oauth-overview.html',
  },
  linkedin_ads: {
    authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
    tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
    scopes: ['r_ads', 'r_ads_reporting'],
    scopeSeparator: ' ',
    tokenEndpointAuthMethod: 'client_secret_post',
    documentation: 'https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow',
  },
};

/** A platform's endpoints with the app's client credentials: ready to run a flow. */
export interface OAuthPlatformSettings extends OAuthPlatformEndpoints {
  clientId: string;
  clientSecret: string;
}

export interface OAuthConfig {
  /** Only the platforms with a client id configured. */
  platforms: Partial<Record<OAuthPlatformId, OAuthPlatformSettings>>;
  /** How long an initiated authorization may take before its state expires. */
  stateTtlSeconds: number;
  /** How long before an access token expires the refresh workflow renews it. */
  refreshSkewSeconds: number;
}

const FlowSettings = z.object({
  OAUTH_STATE_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
  OAUTH_REFRESH_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
});

/** Client secrets travel to these URLs: HTTPS, or plain HTTP on loopback only (local test servers). */
function assertSafeEndpoint(name: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url.replace('{shop}', 'shop'));
  } catch {
    throw new Error(`Invalid configuration: ${name} is not a URL`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new Error(`Invalid configuration: ${name} must be an https URL (plain http only on loopback)`);
  }
}

function splitScopes(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

export function loadOAuthConfig(env: NodeJS.ProcessEnv = process.env): OAuthConfig {
  const flow = FlowSettings.safeParse(env);
  if (!flow.success) {
    throw new Error(`Invalid configuration: ${flow.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const platforms: OAuthConfig['platforms'] = {};
  for (const platform of OAUTH_PLATFORM_IDS) {
    const prefix = `${platform.toUpperCase()}_OAUTH_`;
    const clientId = env[`${prefix}CLIENT_ID`];
    if (!clientId) continue;
    const clientSecret = env[`${prefix}CLIENT_SECRET`];
    if (!clientSecret) throw new Error(`Invalid configuration: ${prefix}CLIENT_ID is set but ${prefix}CLIENT_SECRET is not`);
    const defaults = OAUTH_PLATFORM_ENDPOINTS[platform];
    const scopes = env[`${prefix}SCOPES`];
    // Resolved once here, so the flow reads no environment.
    const paramsFromEnv: Record<string, string> = {};
    for (const [param, variable] of Object.entries(defaults.authorizeParamsFromEnv ?? {})) {
      const value = env[variable];
      if (!value) throw new Error(`Invalid configuration: ${prefix}CLIENT_ID is set but ${variable} is not`);
      paramsFromEnv[param] = value;
    }
    const settings: OAuthPlatformSettings = {
      ...defaults,
      authorizeUrl: env[`${prefix}AUTHORIZE_URL`] || defaults.authorizeUrl,
      tokenUrl: env[`${prefix}TOKEN_URL`] || defaults.tokenUrl,
      scopes: scopes ? splitScopes(scopes) : defaults.scopes,
      authorizeParams: { ...defaults.authorizeParams, ...paramsFromEnv },
      clientId,
      clientSecret,
    };
    assertSafeEndpoint(`${prefix}AUTHORIZE_URL`, settings.authorizeUrl);
    assertSafeEndpoint(`${prefix}TOKEN_URL`, settings.tokenUrl);
    platforms[platform] = settings;
  }
  return { platforms, stateTtlSeconds: flow.data.OAUTH_STATE_TTL_SECONDS, refreshSkewSeconds: flow.data.OAUTH_REFRESH_SKEW_SECONDS };
}
