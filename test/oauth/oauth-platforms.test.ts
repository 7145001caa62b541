import { createHash } from 'node:crypto';
import { loadOAuthConfig, OAUTH_PLATFORM_ENDPOINTS, OAUTH_PLATFORM_IDS } from '../../config/oauth-platforms';
import { createPlatformOAuthClient, generateAuthorizationSecrets } from '../../connectors/oauth/platform-oauth-client';
import { PLATFORM_IDS, PLATFORMS } from '../../domain/platforms';

describe('OAuth platform settings', () => {
  it('cover every oauth2 platform of the registry, and Amazon', () => {
    const oauth2 = PLATFORM_IDS.filter((p) => PLATFORMS[p].authType === 'oauth2');
    expect([...OAUTH_PLATFORM_IDS].sort()).toEqual([...oauth2, 'amazon_seller_central'].sort());
    for (const platform of OAUTH_PLATFORM_IDS) {
      const endpoints = OAUTH_PLATFORM_ENDPOINTS[platform];
      expect(new URL(endpoints.authorizeUrl.replace('{shop}', 'x')).protocol).toBe('https:');
      expect(new URL(endpoints.tokenUrl.replace('{shop}', 'x')).protocol).toBe('https:');
    }
  });

  it('configure only platforms with a client id, with env overrides of every URL and the scopes', () => {
    const config = loadOAuthConfig({
      HUBSPOT_OAUTH_CLIENT_ID: 'hub-id',
      HUBSPOT_OAUTH_CLIENT_SECRET: 'hub-secret',
      HUBSPOT_OAUTH_AUTHORIZE_URL: 'http://127.0.0.1:9999/auth',
      HUBSPOT_OAUTH_TOKEN_URL: 'http://127.0.0.1:9999/token',
      HUBSPOT_OAUTH_SCOPES: 'a b,c',
      OAUTH_STATE_TTL_SECONDS: '120',
    });
    expect(Object.keys(config.platforms)).toEqual(['hubspot']);
    expect(config.platforms.hubspot).toMatchObject({
      authorizeUrl: 'http://127.0.0.1:9999/auth',
      tokenUrl: 'http://127.0.0.1:9999/token',
      scopes: ['a', 'b', 'c'],
      clientId: 'hub-id',
    });
    expect(config.stateTtlSeconds).toBe(120);
    expect(config.refreshSkewSeconds).toBe(300);
  });

  it('refuse a client id without its secret, and plain http off loopback', () => {
    expect(() => loadOAuthConfig({ LINKEDIN_ADS_OAUTH_CLIENT_ID: 'x' })).toThrow(/LINKEDIN_ADS_OAUTH_CLIENT_SECRET/);
    expect(() =>
      loadOAuthConfig({ ZOHO_CRM_OAUTH_CLIENT_ID: 'x', ZOHO_CRM_OAUTH_CLIENT_SECRET: 'y', ZOHO_CRM_OAUTH_TOKEN_URL: 'http://accounts.zoho.eu/oauth/v2/token' }),
    ).toThrow(/https/);
    expect(() => loadOAuthConfig({ AMAZON_SELLER_CENTRAL_OAUTH_CLIENT_ID: 'x', AMAZON_SELLER_CENTRAL_OAUTH_CLIENT_SECRET: 'y' })).toThrow(
      /AMAZON_SELLER_CENTRAL_OAUTH_APPLICATION_ID/,
    );
  });

  it("build authorization URLs with S256 PKCE, the state and the platform's parameters; Shopify's per shop", () => {
    const client = createPlatformOAuthClient(
      loadOAuthConfig({
        SHOPIFY_OAUTH_CLIENT_ID: 'shop-app',
        SHOPIFY_OAUTH_CLIENT_SECRET: 'shop-secret',
        GOOGLE_ADS_OAUTH_CLIENT_ID: 'google-app',
        GOOGLE_ADS_OAUTH_CLIENT_SECRET: 'google-secret',
      }),
    );
    const { state, codeVerifier } = generateAuthorizationSecrets();
    const shop = new URL(client.authorizationUrl('shopify', { accountId: 'acme-store', redirectUri: 'https://app.example/cb', state, codeVerifier }));
    expect(`${shop.origin}${shop.pathname}`).toBe('https://acme-store.myshopify.com/admin/oauth/authorize');
    expect(Object.fromEntries(shop.searchParams)).toMatchObject({
      client_id: 'shop-app',
      scope: 'read_orders,read_customers',
      state,
      redirect_uri: 'https://app.example/cb',
      code_challenge_method: 'S256',
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    });
    expect(shop.href).not.toContain('shop-secret');
    expect(client.accountProblem('shopify', undefined)).toMatch(/shop/);
    expect(client.accountProblem('shopify', 'not a shop!')).toMatch(/shop/);
    expect(client.accountProblem('shopify', 'acme-store.myshopify.com')).toBeNull();
    expect(client.accountProblem('google_ads', undefined)).toBeNull();

    const google = new URL(client.authorizationUrl('google_ads', { accountId: 'default', redirectUri: 'https://app.example/cb', state, codeVerifier }));
    expect(Object.fromEntries(google.searchParams)).toMatchObject({
      access_type: 'offline',
      prompt: 'consent',
      scope: 'https://www.googleapis.com/auth/adwords',
      response_type: 'code',
    });
    expect(client.availability('hubspot')).toEqual({ status: 'not_configured' });
    expect(client.availability('klaviyo')).toEqual({ status: 'not_oauth' });
  });
});
