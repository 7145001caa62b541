import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../observability/logger';
import { signAccessToken } from '../../security/access-token';

/** Real log lines as the process writes them. */
function captureLogger() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  return { logger: createLogger({ name: 'redaction-test', level: 'info', destination: stream }), output: () => lines.join('\n') };
}

describe('log lines carry no credential in a path, query or message', () => {
  it('scrubs tokens in paths, sensitive query values and URLs inside error messages and stacks, and keeps ids', async () => {
    const { logger, output } = captureLogger();
    const jwt = await signAccessToken({ orgId: 'org-1', userId: 'ada', role: 'admin' }, randomBytes(32).toString('hex'), 60);
    const codecCredential = randomBytes(32).toString('base64url');
    const oauthCode = `code-${randomBytes(12).toString('hex')}`;
    const accessToken = `EAAB${randomBytes(16).toString('hex')}`;
    const connectionId = randomUUID();

    logger.error({ path: `/codec/${codecCredential}/decode`, method: 'POST' }, 'unhandled API error');
    logger.error({ path: `/codec/${jwt}/decode` }, 'unhandled API error');
    logger.warn({ url: `/api/v1/platform-connections/oauth/callback?state=s-${connectionId}&code=${oauthCode}` }, 'callback failed');
    logger.error({ err: new Error(`GET https://graph.example.com/v19.0/me?fields=id&access_token=${accessToken} failed`) }, 'request failed');
    logger.info({ path: `/api/v1/platform-connections/connections/${connectionId}/sync` }, 'kept');

    const text = output();
    for (const secret of [codecCredential, jwt, oauthCode, accessToken]) expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    expect(text).toContain('/codec/[redacted]/decode');
    expect(text).toContain('access_token=[redacted]');
    expect(text).toContain('fields=id');
    expect(text).toContain(`/connections/${connectionId}/sync`);
    expect(text.split('\n')).toHaveLength(5);
    for (const line of text.split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
