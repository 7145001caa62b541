/**
 * A real OAuth 2.0 authorization server (panva's oidc-provider) for the OAuth tests, run as its own
 * process because oidc-provider is ESM-only and jest loads CommonJS. Started by test/support/oauth-server-process.ts.
 *
 * One confidential client, PKCE (S256) required, authorization_code + refresh_token grants,
 * refresh tokens issued on every code and rotated on every use (a reused one revokes the grant, as
 * oidc-provider does), a short access-token lifetime, token revocation, and an interaction that
 * logs the user in and consents by itself, so a test drives the whole flow with plain HTTP requests
 * (following redirects and carrying cookies, as a browser would).
 *
 * Environment: OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REDIRECT_URIS (comma-separated),
 * OAUTH_ACCESS_TOKEN_TTL_SECONDS (default 60), OAUTH_SCOPES (space-separated, extra scopes it accepts).
 * `POST /__test/access-token-ttl` with `{"seconds": n}` changes the lifetime of the access tokens issued from then on.
 * Prints one JSON line `{"issuer": "http://127.0.0.1:<port>"}` once it listens.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/** The account every automatic login signs in. */
const TEST_ACCOUNT_ID = 'oauth-test-account';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  // ESM-only package: a dynamic import keeps this file loadable as CommonJS under tsx.
  const { default: Provider } = await import('oidc-provider');
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let accessTokenTtl = Number(process.env.OAUTH_ACCESS_TOKEN_TTL_SECONDS ?? 60);
  const extraScopes = (process.env.OAUTH_SCOPES ?? '').split(/\s+/).filter(Boolean);

  const configuration: Configuration = {
    clients: [
      {
        client_id: required('OAUTH_CLIENT_ID'),
        client_secret: required('OAUTH_CLIENT_SECRET'),
        redirect_uris: required('OAUTH_REDIRECT_URIS').split(','),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', ...extraScopes],
    // Plain OAuth 2.0 clients ask for platform scopes, not offline_access: issue a refresh token on every code.
    issueRefreshToken: async (_ctx: KoaContextWithOIDC, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    ttl: { AccessToken: () => accessTokenTtl, AuthorizationCode: 60, RefreshToken: 24 * 3600, Grant: 24 * 3600, Interaction: 600, Session: 600 },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: KoaContextWithOIDC, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    cookies: { keys: [randomBytes(32).toString('hex')] },
  };
  const provider = new Provider(issuer, configuration);
  const providerCallback = provider.callback();

  /** Logs the test account in, then grants every scope asked for: the consent screen, clicked. */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: TEST_ACCOUNT_ID } }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = details.session?.accountId ?? TEST_ACCOUNT_ID;
    const grant =
      (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  /** Lets a test move from short-lived tokens (refreshes every second) to long-lived ones (no refresh due while it looks). */
  async function setAccessTokenTtl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const seconds = Number((JSON.parse(body) as { seconds?: unknown }).seconds);
    if (!Number.isInteger(seconds) || seconds < 1) {
      res.statusCode = 400;
      res.end('seconds must be a whole number of at least 1');
      return;
    }
    accessTokenTtl = seconds;
    res.statusCode = 204;
    res.end();
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url === '/__test/access-token-ttl') {
      setAccessTokenTtl(req, res).catch((err: unknown) => {
        res.statusCode = 400;
        res.end(err instanceof Error ? err.message : 'bad request');
      });
      return;
    }
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(err instanceof Error ? err.message : 'interaction failed');
      });
      return;
    }
    void providerCallback(req, res);
  });

  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
