import { sign } from 'hono/jwt';
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
    const issuedAt = Math.floor(Date.now() / 1000);
    let now = issuedAt;
    const verifier = createAccessTokenVerifier(SECRET, { maxEntries: 2, nowSeconds: () => now });
    const token = await signAccessToken({ orgId: 'org-1', userId: 'ada', role: 'viewer' }, SECRET, 60, now);
    await expect(verifier(token)).resolves.toMatchObject({ userId: 'ada' });
    await expect(verifier(token)).resolves.toMatchObject({ userId: 'ada' });
    expect(verifier.remembered()).toBe(1);
    // A minute on by the verifier's clock: the remembered token is refused, and not remembered again.
    now += 61;
    await expect(verifier(token)).rejects.toThrow();
    expect(verifier.remembered()).toBe(0);
    // Tokens issued when the first was, valid past the verifier's clock.
    await expect(verifier(await signAccessToken({ orgId: 'o', userId: 'x', role: 'admin' }, `${SECRET}-forged`, 600, issuedAt))).rejects.toThrow();
    for (const user of ['a', 'b', 'c']) await verifier(await signAccessToken({ orgId: 'o', userId: user, role: 'admin' }, SECRET, 600, issuedAt));
    expect(verifier.remembered()).toBe(2);
  });

  it('round-trips an operator (no org), and refuses tokens mixing an org with the operator role or made for another use', async () => {
    const operator = await signAccessToken({ userId: 'ops', role: 'operator' }, SECRET, 60);
    await expect(verifyAccessToken(operator, SECRET)).resolves.toEqual({ userId: 'ops', role: 'operator' });
    const exp = Math.floor(Date.now() / 1000) + 60;
    await expect(verifyAccessToken(await sign({ sub: 'x', org_id: 'org-1', role: 'operator', exp }, SECRET, 'HS256'), SECRET)).rejects.toThrow();
    await expect(verifyAccessToken(await sign({ sub: 'x', role: 'admin', exp }, SECRET, 'HS256'), SECRET)).rejects.toThrow();
    await expect(
      verifyAccessToken(await sign({ sub: 'x', org_id: 'org-1', role: 'admin', aud: 'codec:decode', exp }, SECRET, 'HS256'), SECRET),
    ).rejects.toThrow();
  });
});
