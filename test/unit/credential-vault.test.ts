import { randomBytes } from 'node:crypto';
import { createCredentialVault } from '../../security/credential-vault';
import { parseKeyring } from '../../security/keyring';

const key = () => randomBytes(32).toString('base64');

describe('credential vault (envelope encryption)', () => {
  const [k1, k2] = [key(), key()];
  const secret = { access_token: 'EAAG-super-secret-token', developer_token: 'dev-123' };

  it('round-trips a secret and stores no plaintext, with a fresh data key and nonce per seal', async () => {
    const vault = await createCredentialVault(parseKeyring(`v1:${k1}`));
    const sealed = vault.seal('conn-1', secret);
    expect(sealed.keyVersion).toBe('v1');
    expect(Buffer.from(sealed.ciphertext).toString('latin1')).not.toContain('super-secret');
    expect(vault.open('conn-1', sealed)).toEqual(secret);
    const again = vault.seal('conn-1', secret);
    expect(Buffer.from(again.ciphertext).equals(Buffer.from(sealed.ciphertext))).toBe(false);
    expect(Buffer.from(again.wrappedKey).equals(Buffer.from(sealed.wrappedKey))).toBe(false);
  });

  it('refuses a secret moved to another subject, tampered with, relabelled, or opened without its master key', async () => {
    const vault = await createCredentialVault(parseKeyring(`v1:${k1}`));
    const sealed = vault.seal('conn-1', secret);
    expect(() => vault.open('conn-2', sealed)).toThrow();
    const tampered = { ...sealed, ciphertext: Uint8Array.from(sealed.ciphertext) };
    tampered.ciphertext[tampered.ciphertext.length - 1]! ^= 1;
    expect(() => vault.open('conn-1', tampered)).toThrow();
    const other = await createCredentialVault(parseKeyring(`v1:${k2}`));
    expect(() => other.open('conn-1', sealed)).toThrow();
    const both = await createCredentialVault(parseKeyring(`v2:${k1},v1:${k2}`));
    expect(() => both.open('conn-1', { ...sealed, keyVersion: 'v2' })).toThrow();
    const without = await createCredentialVault(parseKeyring(`v3:${key()}`));
    expect(() => without.open('conn-1', sealed)).toThrow(/v1 is not in the keyring/);
  });

  it('re-wraps under the current master key without touching the ciphertext; the old key can then go', async () => {
    const before = await createCredentialVault(parseKeyring(`v1:${k1}`));
    const sealed = before.seal('conn-1', secret);
    const during = await createCredentialVault(parseKeyring(`v2:${k2},v1:${k1}`));
    expect(during.open('conn-1', sealed)).toEqual(secret);
    const rewrapped = during.rewrap('conn-1', sealed);
    expect(rewrapped.keyVersion).toBe('v2');
    expect(Buffer.from(rewrapped.ciphertext).equals(Buffer.from(sealed.ciphertext))).toBe(true);
    expect(during.rewrap('conn-1', rewrapped)).toBe(rewrapped);
    const after = await createCredentialVault(parseKeyring(`v2:${k2}`));
    expect(after.open('conn-1', rewrapped)).toEqual(secret);
    expect(() => after.open('conn-1', sealed)).toThrow();
  });
});
