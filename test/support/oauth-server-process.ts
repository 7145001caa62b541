import { randomBytes } from 'node:crypto';
import { startServiceProcess, waitFor } from '../../scripts/service-process';

/** A running test authorization server (test/support/oauth-server.ts) and the client it knows. */
export interface OAuthTestServer {
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The `<PLATFORM>_OAUTH_*` settings that point a platform's OAuth flow at this server. */
  oauthEnv(platform: string): NodeJS.ProcessEnv;
  /** Revokes a token at the server (RFC 7009); revoking a refresh token revokes its whole grant. */
  revoke(token: string): Promise<void>;
  /** A refresh_token grant made directly, as another client holding that token would. */
  refreshDirectly(refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The lifetime of the access tokens the server issues from now on. */
  setAccessTokenTtl(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startOAuthTestServer(
  options: { accessTokenTtlSeconds?: number; scopes?: string[]; redirectUri?: string } = {},
): Promise<OAuthTestServer> {
  const clientId = `liftos-test-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const redirectUri = options.redirectUri ?? 'http://127.0.0.1:3000/oauth/callback';
  const server = startServiceProcess('test/support/oauth-server.ts', {
    env: {
      ...process.env,
      OAUTH_CLIENT_ID: clientId,
      OAUTH_CLIENT_SECRET: clientSecret,
      OAUTH_REDIRECT_URIS: redirectUri,
      OAUTH_ACCESS_TOKEN_TTL_SECONDS: String(options.accessTokenTtlSeconds ?? 60),
      OAUTH_SCOPES: (options.scopes ?? []).join(' '),
    },
    capture: true,
  });
  const exited = server.exited.then((code) => {
    throw new Error(`the OAuth test server exited (${code}) before listening: ${server.output()}`);
  });
  const issuer = await Promise.race([
    waitFor(
      async () => server.output().match(/^\{"issuer":"([^"]+)"\}$/m)?.[1],
      (found) => found !== undefined,
      { timeoutMs: 20_000, what: 'OAuth test server listening' },
    ),
    exited,
  ]);
  exited.catch(() => {});
  const tokenUrl = `${issuer}/token`;
  const clientAuth = { client_id: clientId, client_secret: clientSecret };
  const postForm = (url: string, form: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...clientAuth, ...form }) });
  return {
    issuer: issuer!,
    authorizeUrl: `${issuer}/auth`,
    tokenUrl,
    revocationUrl: `${issuer}/token/revocation`,
    clientId,
    clientSecret,
    redirectUri,
    oauthEnv(platform) {
      const prefix = platform.toUpperCase();
      return {
        [`${prefix}_OAUTH_CLIENT_ID`]: clientId,
        [`${prefix}_OAUTH_CLIENT_SECRET`]: clientSecret,
        [`${prefix}_OAUTH_AUTHORIZE_URL`]: `${issuer}/auth`,
        [`${prefix}_OAUTH_TOKEN_URL`]: tokenUrl,
      };
    },
    async revoke(token) {
      const response = await postForm(`${issuer}/token/revocation`, { token });
      if (!response.ok) throw new Error(`revocation answered ${response.status}: ${await response.text()}`);
    },
    async refreshDirectly(refreshToken) {
      const response = await postForm(tokenUrl, { grant_type: 'refresh_token', refresh_token: refreshToken });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async setAccessTokenTtl(seconds) {
      const response = await fetch(`${issuer}/__test/access-token-ttl`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seconds }),
      });
      if (!response.ok) throw new Error(`setting the access token lifetime answered ${response.status}: ${await response.text()}`);
    },
    stop: async () => {
      await server.stop();
    },
  };
}
