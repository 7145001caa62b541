import { randomBytes } from 'node:crypto';
import { createCredentialVault } from '../../security/credential-vault';

describe('credential vault', () => {
  const key = randomBytes(32).toString('base64');
  const secret = { access_token: 'EAAG-super-secret-token', developer_token: 'dev-123' };

  it('round-trips credentials and never stores them in plaintext', async () => {
    const vault = await createCredentialVault(key);
    const sealed = vault.seal('conn-1', secret);
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('super-secret');
    expect(vault.open('conn-1', sealed)).toEqual(secret);
  });

  it('uses a fresh nonce per seal', async () => {
    const vault = await createCredentialVault(key);
    expect(Buffer.from(vault.seal('c', secret)).equals(Buffer.from(vault.seal('c', secret)))).toBe(false);
  });

  it('refuses a ciphertext moved to another connection, tampered with, or opened with another key', async () => {
    const vault = await createCredentialVault(key);
    const sealed = vault.seal('conn-1', secret);
    expect(() => vault.open('conn-2', sealed)).toThrow();
    const tampered = Uint8Array.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => vault.open('conn-1', tampered)).toThrow();
    const other = await createCredentialVault(randomBytes(32).toString('base64'));
    expect(() => other.open('conn-1', sealed)).toThrow();
  });

  it('rejects a key of the wrong length', async () => {
    await expect(createCredentialVault(randomBytes(16).toString('base64'))).rejects.toThrow(/32 bytes/);
  });
});
