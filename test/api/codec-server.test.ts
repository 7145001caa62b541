import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
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

  it('decodes for an admin, by header or by a token in the path', async () => {
    const admin = await api.token(orgId, 'admin');
    const payload = await encryptedPayload();
    for (const [path, token] of [['/codec/decode', admin], [`/codec/${admin}/decode`, undefined]] as const) {
      const res = await api.call('POST', path, { token, json: { payloads: [payload] } });
      expect(res.status).toBe(200);
      const decoded = res.json.payloads[0];
      expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toEqual({ hello: 'codec' });
    }
    const encoded = await api.call('POST', '/codec/encode', { token: admin, json: { payloads: [{ metadata: { encoding: b64(new TextEncoder().encode('json/plain')) }, data: b64(new TextEncoder().encode('{"a":1}')) }] } });
    expect(Buffer.from(encoded.json.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
  });

  it('refuses anonymous and non-admin callers, and malformed bodies', async () => {
    const payload = await encryptedPayload();
    expect((await api.call('POST', '/codec/decode', { json: { payloads: [payload] } })).status).toBe(401);
    expect((await api.call('POST', '/codec/decode', { token: await api.token(orgId, 'editor'), json: { payloads: [payload] } })).status).toBe(403);
    expect((await api.call('POST', '/codec/decode', { token: await api.token(orgId, 'admin'), json: { payloads: [{ data: 'not base64!' }] } })).status).toBe(400);
  });

  it("answers the Web UI's CORS preflight for its origin only", async () => {
    const preflight = (origin: string) =>
      api.app.request('/codec/decode', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const ui = await preflight('http://127.0.0.1:8233');
    expect(ui.status).toBe(204);
    expect(ui.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
