import sodium from 'libsodium-wrappers';

/**
 * Seals connection credentials with XChaCha20-Poly1305 before they reach Postgres.
 * The connection id is bound as associated data, so a ciphertext copied onto another row fails to open.
 * Stored layout: nonce (24 bytes) || ciphertext+tag.
 */
export interface CredentialVault {
  seal(connectionId: string, credentials: Readonly<Record<string, string>>): Uint8Array;
  open(connectionId: string, sealed: Uint8Array): Record<string, string>;
}

export async function createCredentialVault(base64Key: string): Promise<CredentialVault> {
  await sodium.ready;
  const key = sodium.from_base64(base64Key, sodium.base64_variants.ORIGINAL);
  if (key.length !== sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
    throw new Error(`The credentials key must be ${sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES} bytes (base64)`);
  }
  const nonceBytes = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  return {
    seal(connectionId, credentials) {
      const nonce = sodium.randombytes_buf(nonceBytes);
      const plaintext = sodium.from_string(JSON.stringify(credentials));
      const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, connectionId, null, nonce, key);
      const sealed = new Uint8Array(nonce.length + ciphertext.length);
      sealed.set(nonce, 0);
      sealed.set(ciphertext, nonce.length);
      return sealed;
    },
    open(connectionId, sealed) {
      const nonce = sealed.subarray(0, nonceBytes);
      const ciphertext = sealed.subarray(nonceBytes);
      const plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, connectionId, nonce, key);
      return JSON.parse(sodium.to_string(plaintext)) as Record<string, string>;
    },
  };
}
