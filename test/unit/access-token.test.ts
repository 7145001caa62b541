import { createAccessTokenVerifier, signAccessToken, verifyAccessToken } from '../../security/access-token';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe('access tokens', () => {
  it('round-trips a principal and refuses forged, expired and malformed tokens', async () => {
    const token = await signAccessToken({ orgId: 'org-1', userId: 'ada', role: 'editor' }, SECRET, 60);
    await expect(verifyAccessToken(token, SECRET)).resolves.toEqual({ orgId: 'org-1', userId: 'ada', role: 'editor' });
    await expect(verifyAccessToken(token, `${SECRET}-other`)).rejects.toThrow();
    await expect(verifyAccessToken(await signAccessToken({ orgId: 'o', userId: 'u', role: 'admin' }, SECRET, -1), SECRET)).rejects.toThrow();
    await expect(verifyAccessToken('a.b.c', SECRET)).rejects.toThrow();
  });

  it('remembers verified tokens but still refuses one whose exp has passed, and stays bounded', async () => {
    const now = Math.floor(Date.now() / 1000);
    const verifier = createAccessTokenVerifier(SECRET, { maxEntries: 2 });
    // Valid for about one more second.
    const token = await signAccessToken({ orgId: 'org-1', userId: 'ada', role: 'viewer' }, SECRET, 101, now - 100);
    await expect(verifier(token)).resolves.toMatchObject({ userId: 'ada' });
    await expect(verifier(token)).resolves.toMatchObject({ userId: 'ada' });
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(verifier(token)).rejects.toThrow();
    await expect(verifier(await signAccessToken({ orgId: 'o', userId: 'x', role: 'admin' }, `${SECRET}-forged`, 60, now))).rejects.toThrow();
    for (const user of ['a', 'b', 'c']) await verifier(await signAccessToken({ orgId: 'o', userId: user, role: 'admin' }, SECRET, 60, now));
  });
});
