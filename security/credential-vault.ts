import sodium from 'libsodium-wrappers';
import type { SealedSecret } from '../domain/sealed-secret';
import type { Keyring } from './keyring';

/**
 * Seals connection credentials (and other secrets such as PKCE verifiers) before they reach
 * Postgres. `subject` (a connection id, an OAuth state) is bound as associated data to both layers,
 * so a sealed secret copied onto another row fails to open.
 */
export interface CredentialVault {
  readonly currentKeyVersion: string;
  seal(subject: string, secret: Readonly<Record<string, string>>): SealedSecret;
  open(subject: string, sealed: SealedSecret): Record<string, string>;
  /** The same secret with its data key wrapped under the current master key. Idempotent. */
  rewrap(subject: string, sealed: SealedSecret): SealedSecret;
}

export async function createCredentialVault(keyring: Keyring): Promise<CredentialVault> {
  await sodium.ready;
  const NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const encrypt = (plaintext: Uint8Array, ad: string, key: Uint8Array) => {
    const nonce = sodium.randombytes_buf(NONCE);
    const body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
    const out = new Uint8Array(NONCE + body.length);
    out.set(nonce, 0);
    out.set(body, NONCE);
    return out;
  };
  const decrypt = (sealed: Uint8Array, ad: string, key: Uint8Array) =>
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed.subarray(NONCE), ad, sealed.subarray(0, NONCE), key);
  const masterKey = (version: string) => {
    const key = keyring.keys.get(version);
    if (!key) throw new Error(`Master key ${version} is not in the keyring (CREDENTIALS_KEYS)`);
    return key;
  };
  // The wrapped key is bound to its subject and version: it cannot be moved between rows or relabelled.
  const wrapAd = (subject: string, version: string) => `${subject}|${version}`;
  const unwrap = (subject: string, sealed: SealedSecret) => decrypt(sealed.wrappedKey, wrapAd(subject, sealed.keyVersion), masterKey(sealed.keyVersion));

  return {
    currentKeyVersion: keyring.currentVersion,
    seal(subject, secret) {
      const dataKey = sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
      const version = keyring.currentVersion;
      return {
        keyVersion: version,
        wrappedKey: encrypt(dataKey, wrapAd(subject, version), masterKey(version)),
        ciphertext: encrypt(sodium.from_string(JSON.stringify(secret)), subject, dataKey),
      };
    },
    open(subject, sealed) {
      return JSON.parse(sodium.to_string(decrypt(sealed.ciphertext, subject, unwrap(subject, sealed)))) as Record<string, string>;
    },
    rewrap(subject, sealed) {
      const version = keyring.currentVersion;
      if (sealed.keyVersion === version) return sealed;
      return { keyVersion: version, wrappedKey: encrypt(unwrap(subject, sealed), wrapAd(subject, version), masterKey(version)), ciphertext: sealed.ciphertext };
    },
  };
}
