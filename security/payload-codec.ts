import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import sodium from 'libsodium-wrappers';
import type { Keyring } from './keyring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';

/**
 * Encrypts every payload (workflow inputs and results, activity inputs and results, heartbeats,
 * signals, queries) before it leaves the process, so Temporal's history holds only ciphertext.
 * Runs on the client and the worker alike; the codec server on the API decodes for the Web UI.
 * The key id travels with each payload, so payloads written under an older key stay readable
 * while it remains in the keyring.
 */
export async function createPayloadCodec(keyring: Keyring): Promise<PayloadCodec> {
  await sodium.ready;
  const NONCE = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      const keyId = keyring.currentVersion;
      const key = keyring.keys.get(keyId)!;
      return payloads.map((payload) => {
        const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
        const nonce = sodium.randombytes_buf(NONCE);
        const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, keyId, null, nonce, key);
        const data = new Uint8Array(NONCE + sealed.length);
        data.set(nonce, 0);
        data.set(sealed, NONCE);
        return { metadata: { [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID]: encoder.encode(keyId) }, data };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((payload) => {
        if (!payload.metadata || decoder.decode(payload.metadata[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== ENCRYPTED_ENCODING) return payload;
        const keyId = decoder.decode(payload.metadata[KEY_ID] ?? new Uint8Array());
        const key = keyring.keys.get(keyId);
        if (!key || !payload.data) throw new Error(`Cannot decrypt a payload: key ${keyId || '(none)'} is not in the payload keyring`);
        const plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, payload.data.subarray(NONCE), keyId, payload.data.subarray(0, NONCE), key);
        return temporal.api.common.v1.Payload.decode(plaintext);
      });
    },
  };
}
