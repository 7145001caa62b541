import { type DataConverter, METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
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
 *
 * Decoding refuses a payload that is not encrypted, so a plaintext payload someone sends straight to
 * the Temporal frontend (a signal, a workflow start) never reaches a workflow or activity: the
 * workflow task or activity fails instead. Only the Web UI's codec server passes plaintext through
 * (`plaintext: 'pass'`), to display payloads written before encryption.
 */
export async function createPayloadCodec(keyring: Keyring, options: { plaintext?: 'refuse' | 'pass' } = {}): Promise<PayloadCodec> {
  const passPlaintext = options.plaintext === 'pass';
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
        const encoding = decoder.decode(payload.metadata?.[METADATA_ENCODING_KEY] ?? new Uint8Array());
        if (encoding !== ENCRYPTED_ENCODING) {
          if (passPlaintext) return payload;
          throw new Error(
            `Refusing an unencrypted payload (encoding ${encoding || '(none)'}): every payload must be written by a client or worker with the payload codec`,
          );
        }
        const keyId = decoder.decode(payload.metadata?.[KEY_ID] ?? new Uint8Array());
        const key = keyring.keys.get(keyId);
        if (!key || !payload.data) throw new Error(`Cannot decrypt a payload: key ${keyId || '(none)'} is not in the payload keyring`);
        const plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, payload.data.subarray(NONCE), keyId, payload.data.subarray(0, NONCE), key);
        return temporal.api.common.v1.Payload.decode(plaintext);
      });
    },
  };
}

/** Where the failure converter lives, for DataConverter.failureConverterPath and workflow bundles. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The one data converter of every Temporal client and worker: payloads encrypted (plaintext refused
 * on decode), and failure messages and stack traces encoded into payloads so they are encrypted too.
 */
export async function createDataConverter(keyring: Keyring): Promise<DataConverter & { payloadCodecs: [PayloadCodec] }> {
  return { payloadCodecs: [await createPayloadCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
