/**
 * A secret sealed by envelope encryption: its own random data key encrypts it, and the keyring's
 * master key of `keyVersion` wraps that data key. Rotating the master key re-wraps the small data
 * key and leaves the ciphertext alone. Sealed and opened by security/credential-vault.ts, stored by db/.
 */
export interface SealedSecret {
  keyVersion: string;
  /** nonce || XChaCha20-Poly1305(data key), under the master key of `keyVersion`. */
  wrappedKey: Uint8Array;
  /** nonce || XChaCha20-Poly1305(JSON of the secret), under the data key. */
  ciphertext: Uint8Array;
}
