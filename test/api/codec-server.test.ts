import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import { createLogger } from '../../observability/logger';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('codec server for the Temporal Web UI', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-codec-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    api = createTestApi(harness, { taskQueue: uniqueName('codec') });
  });
  afterAll(() => harness.close());

  async function encryptedPayload() {
    const [p] = await harness.payloadCodec.encode([defaultPayloadConverter.toPayload({ hello: 'codec' })!]);
    return { metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(p!.data!) };
  }

  it("decodes and encodes for a deployment operator's bearer token, and decodes for the Web UI's codec credential in the path", async () => {
    const operator = await api.operatorToken();
    const payload = await encryptedPayload();
    for (const [path, token] of [
      ['/codec/decode', operator],
      [`/codec/${api.codecUiCredential}/decode`, undefined],
    ] as const) {
      const res = await api.call('POST', path, { token, json: { payloads: [payload] } });
      expect(res.status).toBe(200);
      const decoded = res.json.payloads[0];
      expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toEqual({ hello: 'codec' });
    }
    const encoded = await api.call('POST', '/codec/encode', {
      token: operator,
      json: { payloads: [{ metadata: { encoding: b64(new TextEncoder().encode('json/plain')) }, data: b64(new TextEncoder().encode('{"a":1}')) }] },
    });
    expect(Buffer.from(encoded.json.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
  });

  it('refuses anonymous callers, org members (admins too), other credentials in the path, and malformed bodies', async () => {
    const payload = await encryptedPayload();
    expect((await api.call('POST', '/codec/decode', { json: { payloads: [payload] } })).status).toBe(401);
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const token = await api.token(orgId, role);
      expect({ role, status: (await api.call('POST', '/codec/decode', { token, json: { payloads: [payload] } })).status }).toEqual({ role, status: 403 });
      expect({ role, status: (await api.call('POST', `/codec/${token}/decode`, { json: { payloads: [payload] } })).status }).toEqual({ role, status: 401 });
    }
    expect((await api.call('POST', `/codec/${await api.operatorToken()}/decode`, { json: { payloads: [payload] } })).status).toBe(401);
    expect((await api.call('POST', `/codec/${api.codecUiCredential}/encode`, { json: { payloads: [payload] } })).status).toBe(404);
    expect((await api.call('POST', '/codec/decode', { token: await api.operatorToken(), json: { payloads: [{ data: 'not base64!' }] } })).status).toBe(400);
  });

  it('answers 400, not 500, for a payload the keyring cannot open', async () => {
    const foreign = {
      metadata: { encoding: b64(new TextEncoder().encode('binary/encrypted')), 'encryption-key-id': b64(new TextEncoder().encode('p9')) },
      data: b64(new Uint8Array(64)),
    };
    const res = await api.call('POST', `/codec/${api.codecUiCredential}/decode`, { json: { payloads: [foreign] } });
    expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status: 400, code: 'undecodable_payload' });
  });

  it("never writes the codec credential to the API's error log", async () => {
    const stream = new PassThrough();
    let logged = '';
    stream.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    const logging = createTestApi(harness, { taskQueue: uniqueName('codec-log'), logger: createLogger({ name: 'api', level: 'info', destination: stream }) });
    // An unexpected failure under a credential-carrying path (outside /codec, whose access rules refuse
    // unknown routes), answered by the app's own error handler.
    logging.app.post('/explode/:credential', () => {
      throw new Error('unexpected');
    });
    const res = await logging.call('POST', `/explode/${logging.codecUiCredential}`);
    expect(res.status).toBe(500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged).toContain('unhandled API error');
    expect(logged).not.toContain(logging.codecUiCredential);
  });

  it("answers the Web UI's CORS preflight for its origin only", async () => {
    const preflight = (origin: string) =>
      api.app.request('/codec/decode', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const ui = await preflight('http://127.0.0.1:8233');
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
