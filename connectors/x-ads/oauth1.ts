import { createHmac, timingSafeEqual } from 'node:crypto';
import OAuth from 'oauth-1.0a';

/**
 * OAuth 1.0a (RFC 5849) as the X Ads API requires it: every request carries an Authorization header signed with
 * HMAC-SHA1 over its method, URL and parameters, keyed by the app's consumer secret and the user's token secret.
 * Signing and verifying both go through the `oauth-1.0a` library so the emulator checks what the connector signs.
 */

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
}

export interface SignedRequest {
  method: string;
  /** Scheme, host and path, without the query string. */
  url: string;
  /** The query parameters, which the signature covers. */
  params: Readonly<Record<string, string>>;
}

/** How far a signature's timestamp may be from the server's clock before the request counts as a replay. */
const TIMESTAMP_TOLERANCE_SECONDS = 300;

function oauthFor(credentials: OAuth1Credentials): OAuth {
  return new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
}

/** The Authorization header value for one request. */
export function oauth1Authorization(credentials: OAuth1Credentials, request: SignedRequest): string {
  const oauth = oauthFor(credentials);
  const signed = oauth.authorize(
    { url: request.url, method: request.method, data: { ...request.params } },
    { key: credentials.token, secret: credentials.tokenSecret },
  );
  return oauth.toHeader(signed).Authorization;
}

/** Whether an Authorization header is a current signature of this request by these credentials. */
export function isValidOAuth1Authorization(
  header: string | undefined,
  request: SignedRequest,
  credentials: OAuth1Credentials,
  now: number = Date.now(),
): boolean {
  const fields = parseAuthorization(header);
  if (!fields) return false;
  const { oauth_consumer_key: consumerKey, oauth_token: token, oauth_nonce: nonce, oauth_signature: signature, oauth_timestamp: timestamp } = fields;
  if (consumerKey !== credentials.consumerKey || token !== credentials.token || fields.oauth_signature_method !== 'HMAC-SHA1') return false;
  if (!nonce || !signature || !timestamp || !/^\d+$/.test(timestamp) || Math.abs(Number(timestamp) - now / 1000) > TIMESTAMP_TOLERANCE_SECONDS) return false;
  const expected = oauthFor(credentials).getSignature({ url: request.url, method: request.method, data: { ...request.params } }, credentials.tokenSecret, {
    oauth_consumer_key: consumerKey,
    oauth_token: token,
    oauth_nonce: nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: Number(timestamp),
    oauth_version: fields.oauth_version ?? '1.0',
  });
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** `OAuth key="value", …` with percent-encoded keys and values, as RFC 5849 §3.5.1 writes it. */
function parseAuthorization(header: string | undefined): Partial<Record<string, string>> | null {
  const match = /^OAuth\s+(.*)$/i.exec(header ?? '');
  if (!match) return null;
  const fields: Partial<Record<string, string>> = {};
  for (const part of match[1]!.split(/\s*,\s*/)) {
    const pair = /^([^=]+)="([^"]*)"$/.exec(part);
    if (!pair) return null;
    try {
      fields[decodeURIComponent(pair[1]!)] = decodeURIComponent(pair[2]!);
    } catch {
      return null;
    }
  }
  return fields;
}
