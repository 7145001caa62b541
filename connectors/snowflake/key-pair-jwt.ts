import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { ConnectorError } from '../connector-error';

/**
 * Snowflake key-pair authentication: a JWT (RS256) signed with the user's private key, whose issuer names the
 * fingerprint of the public key registered on the user (`RSA_PUBLIC_KEY_FP`): `iss = ACCOUNT.USER.SHA256:<fp>`,
 * `sub = ACCOUNT.USER`, valid for at most an hour.
 */

/** Snowflake refuses tokens valid for longer than an hour; a minute less leaves room for clock skew. */
const LIFETIME_SECONDS = 59 * 60;
/** A cached token is renewed this long before it expires, so none expires in flight. */
const RENEW_BEFORE_SECONDS = 5 * 60;

/**
 * The account as the JWT names it: upper case, and for an account locator with a region (`xy12345.us-east-2.aws`)
 * the locator alone. An organisation account (`myorg-myaccount`) keeps its hyphen.
 */
export function jwtAccount(account: string): string {
  return account.split('.')[0]!.toUpperCase();
}

/** `SHA256:` and the base64 SHA-256 of the public key's DER (SubjectPublicKeyInfo), as DESCRIBE USER shows it. */
export function publicKeyFingerprint(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

/** Reads a PEM private key (PKCS#8 or PKCS#1, encrypted when a passphrase is given); never echoes it. */
export function readPrivateKey(pem: string, passphrase: string | undefined): KeyObject {
  try {
    const key = createPrivateKey({ key: pem.replace(/\\n/g, '\n'), format: 'pem', passphrase });
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return key;
  } catch {
    throw new ConnectorError('auth', 'Snowflake private_key is not a readable RSA private key in PEM (or its passphrase is wrong); reconnect the account');
  }
}

export function signKeyPairJwt(identity: { account: string; user: string; key: KeyObject }, nowSeconds: number): { token: string; expiresAt: number } {
  const qualifiedUser = `${jwtAccount(identity.account)}.${identity.user.toUpperCase()}`;
  const expiresAt = nowSeconds + LIFETIME_SECONDS;
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iss: `${qualifiedUser}.${publicKeyFingerprint(identity.key)}`, sub: qualifiedUser, iat: nowSeconds, exp: expiresAt })}`;
  const signature = sign('sha256', Buffer.from(signingInput), identity.key).toString('base64url');
  return { token: `${signingInput}.${signature}`, expiresAt };
}

/** A signer that reuses its token until shortly before it expires. */
export function keyPairJwtSigner(identity: { account: string; user: string; privateKeyPem: string; passphrase?: string }): () => string {
  let key: KeyObject | undefined;
  let cached: { token: string; expiresAt: number } | undefined;
  return () => {
    const now = Math.floor(Date.now() / 1000);
    if (!cached || cached.expiresAt - RENEW_BEFORE_SECONDS <= now) {
      key ??= readPrivateKey(identity.privateKeyPem, identity.passphrase);
      cached = signKeyPairJwt({ account: identity.account, user: identity.user, key }, now);
    }
    return cached.token;
  };
}
