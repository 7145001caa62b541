import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Signs opaque pagination cursors, so a client can hand back only what the server gave it. */
export interface CursorSigner {
  /** `<payload>.<signature>`, both base64url. */
  sign(payload: string): string;
  /** The payload of a token this signer made; null for anything else (tampered, foreign, malformed). */
  open(token: string): string | null;
}

/**
 * HMAC-SHA256 with a key derived (HKDF) from a server secret and a purpose, so one secret serves
 * several uses without a signature of one being valid for another.
 */
export function createCursorSigner(secret: string, purpose: string): CursorSigner {
  const key = Buffer.from(hkdfSync('sha256', secret, 'liftos-connect cursor', purpose, 32));
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    sign: (payload) => `${payload}.${mac(payload).toString('base64url')}`,
    open(token) {
      const dot = token.lastIndexOf('.');
      if (dot <= 0) return null;
      const payload = token.slice(0, dot);
      const given = Buffer.from(token.slice(dot + 1), 'base64url');
      const expected = mac(payload);
      return given.length === expected.length && timingSafeEqual(given, expected) ? payload : null;
    },
  };
}
