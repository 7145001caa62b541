import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { ACCESS_POLICY } from '../../api/access-policy';
import type { ApiDocument } from '../../api/openapi/api-document';
import { loadOAuthConfig } from '../../config/oauth-platforms';
import { createPlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { keyRotationWorkflowId } from '../../domain/workflow-ids';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { insertAlert, percentageRolloutRequest } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const ROOT = join(__dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Outside ACCESS_POLICY: no token needed. */
const PUBLIC = ['GET /health', 'GET /openapi.json', 'GET /docs', 'GET /docs/:file'];

/**
 * The document checked by @seriousme/openapi-schema-validator (the OpenAPI Initiative's JSON Schemas
 * of each version). It is an ES module, which jest's CommonJS modules cannot load: it runs in a node
 * process of its own.
 */
function validateOpenApi(document: ApiDocument): { valid: boolean; errors?: unknown; version: string } {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
process.stdout.write(JSON.stringify({ ...result, version: validator.version }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '--eval', script], { cwd: ROOT, input: JSON.stringify(document) });
  return JSON.parse(output.toString());
}

/** Each operation of the document as `METHOD /hono/:path`, with its x-required-role. */
function operationsOf(document: ApiDocument): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => {
        const role = (item[m] as Record<string, unknown>)['x-required-role'];
        return [`${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`, role];
      }),
    ),
  );
}

describe('OpenAPI document and API reference', () => {
  let harness: TestHarness;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let googleAds: RunningEmulator;
  let api: ReturnType<typeof createTestApi>;
  let document: ApiDocument;
  const orgId = `org-openapi-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    const taskQueue = uniqueName('openapi');
    // Google Ads' emulator: a rollout starts only when the platform it rolls out answers.
    googleAds = await startEmulator('google_ads');
    const baseUrls = { google_ads: googleAds.url };
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls });
    // HubSpot's OAuth client configured (its endpoints are never reached): initiate can answer 201.
    const client = createPlatformOAuthClient(loadOAuthConfig({ HUBSPOT_OAUTH_CLIENT_ID: 'app', HUBSPOT_OAUTH_CLIENT_SECRET: 'secret' }));
    const oauth = { client, stateTtlSeconds: 600 };
    api = createTestApi(harness, { taskQueue, baseUrls, oauth });
    document = (await api.call('GET', '/openapi.json')).json;
  });
  afterAll(async () => {
    // The operator's rotation is the deployment's singleton: end it rather than leave it to other files.
    await harness.temporal.client.workflow
      .getHandle(keyRotationWorkflowId())
      .terminate('openapi test cleanup')
      .catch(() => {});
    await worker.stop();
    await googleAds.close();
    await harness.close();
  });

  it('documents every route of the access policy with its role and bearer security, and no route goes undocumented', () => {
    const operations = operationsOf(document);
    expect(operations).toEqual({ ...ACCESS_POLICY, ...Object.fromEntries(PUBLIC.map((p) => [p, undefined])) });
    const routes = new Set(api.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    expect([...routes].filter((r) => !(r in operations))).toEqual([]);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const operation = item[method] as (Record<string, unknown> & { security?: unknown; responses?: Record<string, unknown> }) | undefined;
        if (!operation) continue;
        const role = operation['x-required-role'];
        const security = role === undefined || role === 'codec:decode' ? [] : [{ bearer: [] }];
        expect({ path, method, security: operation.security }).toEqual({ path, method, security });
        // Every operation documents at least one answer of its own besides the shared errors.
        expect({ path, method, own: Object.keys(operation.responses ?? {}).some((s) => /^2/.test(s)) }).toEqual({ path, method, own: true });
      }
    }
  });

  it('is a valid OpenAPI 3.1 document', () => {
    expect(validateOpenApi(document)).toEqual({ valid: true, version: '3.1' });
  });

  it('serves the reference page and its files itself, loading nothing from another host', async () => {
    const page = await api.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.text).not.toMatch(/https?:|\/\//);
    const links = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    // The icon is an empty data: URL (no /favicon.ico request); every other link is a file of the API's own.
    expect(links.filter((link) => link.startsWith('data:'))).toEqual(['data:,']);
    const files = links.filter((link) => !link.startsWith('data:'));
    expect(files.sort()).toEqual(['/docs/swagger-initializer.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css']);
    const swaggerUi = join(ROOT, 'node_modules', 'swagger-ui-dist');
    for (const file of files) {
      const res = await api.call('GET', file);
      const type = file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/;
      expect({ file, status: res.status, type: res.headers.get('content-type') }).toEqual({ file, status: 200, type: expect.stringMatching(type) });
      const name = file.slice('/docs/'.length);
      if (name === 'swagger-initializer.js') {
        // The document from this API, and no badge from validator.swagger.io.
        expect(res.text).toContain("url: '/openapi.json'");
        expect(res.text).toContain('validatorUrl: null');
        expect(res.text).not.toMatch(/https?:/);
      } else {
        expect(res.text).toBe(readFileSync(join(swaggerUi, name), 'utf8'));
      }
    }
  });

  it('refuses answers that are not as documented', async () => {
    const JSON_TYPE = { 'content-type': 'application/json' };
    const answer = (status: number, body: unknown) => ({ status, headers: new Headers(JSON_TYPE), text: JSON.stringify(body), json: body });
    const error = (code: string) => ({ error: { code, message: 'x', details: null } });
    const path = `/api/v1/platform-connections/connections/${randomUUID()}`;
    await expect(api.contract.check('GET', path, answer(404, error('not_found')))).resolves.toBeUndefined();
    await expect(api.contract.check('GET', path, answer(200, { id: 'c1' }))).rejects.toThrow(
      /not as documented for GET \/api\/v1\/platform-connections\/connections\/\{id\}: .*must have required property/,
    );
    await expect(api.contract.check('GET', path, answer(410, error('gone')))).rejects.toThrow(/status 410 is not documented/);
    await expect(api.contract.check('GET', '/nowhere', answer(404, { message: 'no' }))).rejects.toThrow(/not as documented/);
  });

  it('answers every documented operation as documented', async () => {
    const admin = await api.token(orgId, 'admin');
    const operator = await api.operatorToken();
    const V1 = '/api/v1';
    /** Calls as the org's admin (every org rule admits it) and requires one of the statuses; createTestApi checks the answer against the document. */
    async function expectAnswer(statuses: number[], method: string, path: string, options: { json?: unknown; token?: string | null } = {}) {
      const res = await api.call(method, path, { json: options.json, token: options.token === null ? undefined : (options.token ?? admin) });
      if (!statuses.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}, not ${statuses.join(' or ')}: ${res.text.slice(0, 1000)}`);
      return res;
    }
    const range = { start_date: '2026-01-01', end_date: '2026-01-10' };

    await expectAnswer([200], 'GET', '/health', { token: null });
    await expectAnswer([200], 'GET', '/openapi.json', { token: null });
    await expectAnswer([200], 'GET', '/docs', { token: null });
    await expectAnswer([200], 'GET', '/docs/swagger-initializer.js', { token: null });
    await expectAnswer([200], 'GET', `${V1}/platform-connections/platforms`);

    // The caller's default mode makes the connections below mock ones.
    await expectAnswer([200], 'PUT', `${V1}/platform-connections/preferences`, { json: { default_data_mode: 'mock' } });
    await expectAnswer([200], 'GET', `${V1}/platform-connections/preferences`);
    const create = (platform: string) => expectAnswer([201], 'POST', `${V1}/platform-connections/connections`, { json: { platform, credentials: {} } });
    const connection = (await create('google_ads')).json;
    const other = (await create('klaviyo')).json;
    const CONNECTION = `${V1}/platform-connections/connections/${connection.id}`;
    await expectAnswer([200], 'GET', `${V1}/platform-connections/connections`);
    await expectAnswer([200], 'GET', CONNECTION);
    await expectAnswer([200], 'PUT', CONNECTION, { json: { display_name: 'Google Ads (OpenAPI test)' } });
    await expectAnswer([200], 'POST', `${CONNECTION}/test`);
    await expectAnswer([200], 'PUT', `${V1}/platform-connections/retention`, { json: { default_retention_days: 3650 } });
    await expectAnswer([200], 'PUT', `${CONNECTION}/retention`, { json: { retention_days: null } });
    await expectAnswer([200], 'GET', `${V1}/platform-connections/retention`);
    await expectAnswer([200], 'DELETE', `${CONNECTION}/retention`);

    // Syncs: one to completion (the rows the reads and validations below judge), a resync cancelled.
    await expectAnswer([202], 'POST', `${CONNECTION}/sync`, { json: range });
    const sync = () => api.call('GET', `${CONNECTION}/sync`, { token: admin });
    await waitFor(sync, (r) => r.json?.status === 'completed', { timeoutMs: 30_000, what: 'sync completed' });
    await expectAnswer([200], 'GET', `${CONNECTION}/sync/history`);
    await expectAnswer([202], 'POST', `${CONNECTION}/resync`, { json: {} });
    await expectAnswer([202, 409], 'DELETE', `${CONNECTION}/sync`);
    await waitFor(sync, (r) => ['completed', 'cancelled'].includes(r.json?.status), { timeoutMs: 30_000, what: 'resync closed' });
    await expectAnswer([202], 'POST', `${V1}/platform-connections/sync/bulk`, { json: { connection_ids: [other.id] } });
    await expectAnswer([200], 'GET', `${V1}/platform-connections/dashboard?days=7`);
    await expectAnswer([400], 'GET', `${V1}/platform-connections/dashboard?days=0`);

    // OAuth: an authorisation started; a callback with a state never issued.
    const authorisation = { platform: 'hubspot', redirect_uri: 'https://app.example/oauth/return' };
    await expectAnswer([201], 'POST', `${V1}/platform-connections/oauth/initiate`, { json: authorisation });
    await expectAnswer([400], 'GET', `${V1}/platform-connections/oauth/callback?state=never-issued&code=abc`);

    await expectAnswer([202, 409], 'POST', `${V1}/platform-connections/keys/rotate`, { json: {}, token: operator });
    await expectAnswer([200], 'GET', `${V1}/platform-connections/keys/rotate`, { token: operator });
    await expectAnswer([200], 'GET', `${V1}/audit`);

    await expectAnswer([200], 'POST', `${V1}/platform-connections/data`, { json: { connection_id: connection.id, ...range, limit: 5 } });
    await expectAnswer([200], 'POST', `${V1}/live-integration/hybrid-data`, { json: { connection_id: connection.id, ...range, limit: 5 } });

    // Metrics and alerts.
    await expectAnswer([201], 'POST', `${V1}/rollout-monitoring/metrics`, { json: { name: 'liftos_custom_openapi_checks', kind: 'counter', value: 1 } });
    await expectAnswer([200], 'GET', `${V1}/rollout-monitoring/metrics?name=liftos_custom_openapi_checks`);
    const alertId = await insertAlert(harness.database.db, { orgId, type: 'performance', severity: 'medium', labels: { platform: 'google_ads' } });
    await expectAnswer([200], 'GET', `${V1}/rollout-monitoring/alerts`);
    await expectAnswer([200], 'GET', `${V1}/rollout-monitoring/alerts/rules`);
    await expectAnswer([200], 'POST', `${V1}/rollout-monitoring/alerts/${alertId}/resolve`);
    await expectAnswer([200], 'GET', `${V1}/rollout-monitoring/health`);
    await expectAnswer([200], 'GET', `${V1}/rollout-monitoring/dashboard`);

    // Data validation: a run waited for, one started, the stored reports, the run by its id, the org's summaries.
    const VALIDATION = `${V1}/data-validation`;
    await expectAnswer([200], 'GET', `${VALIDATION}/validation-rules`);
    const report = (await expectAnswer([200], 'GET', `${VALIDATION}/connections/${connection.id}/validate`)).json;
    await expectAnswer([202], 'POST', `${VALIDATION}/connections/${connection.id}/validate-async`);
    await expectAnswer([200], 'GET', `${VALIDATION}/connections/${connection.id}/reports`);
    await expectAnswer([200], 'GET', `${VALIDATION}/validations/${encodeURIComponent(report.workflow_id)}`);
    await expectAnswer([200], 'GET', `${VALIDATION}/quality-summary`);
    await expectAnswer([200], 'GET', `${VALIDATION}/connections/validate-all`);

    // The codec server: a payload encoded, then decoded by both credentials.
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const plain = defaultPayloadConverter.toPayload({ hello: 'openapi' })!;
    const plainJson = { metadata: Object.fromEntries(Object.entries(plain.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(plain.data!) };
    const encoded = (await expectAnswer([200], 'POST', '/codec/encode', { json: { payloads: [plainJson] }, token: operator })).json;
    await expectAnswer([200], 'POST', '/codec/decode', { json: encoded, token: operator });
    await expectAnswer([200], 'POST', `/codec/${api.codecUiCredential}/decode`, { json: encoded, token: null });

    // Rollouts: one controlled and rolled back, one promoted.
    const ROLLOUTS = `${V1}/rollout-monitoring/rollouts`;
    const rollout = (await expectAnswer([201], 'POST', ROLLOUTS, { json: percentageRolloutRequest('OpenAPI rollback') })).json;
    await expectAnswer([200], 'GET', ROLLOUTS);
    await expectAnswer([202], 'POST', `${ROLLOUTS}/${rollout.id}/start`);
    const statusOf = (id: string) => () => api.call('GET', `${ROLLOUTS}/${id}/status`, { token: admin });
    const status = statusOf(rollout.id);
    await waitFor(status, (r) => r.json?.stage === 'running', { timeoutMs: 15_000, what: 'rollout running' });
    await expectAnswer([200], 'PUT', `${ROLLOUTS}/${rollout.id}/thresholds`, { json: { success_criteria: { min_sample_size: 3 } } });
    await expectAnswer([202], 'POST', `${ROLLOUTS}/${rollout.id}/pause`);
    await waitFor(status, (r) => r.json?.stage === 'paused', { timeoutMs: 15_000, what: 'rollout paused' });
    await expectAnswer([202], 'POST', `${ROLLOUTS}/${rollout.id}/resume`);
    await expectAnswer([200], 'GET', `${V1}/rollout-monitoring/evaluate?user_id=admin-user&platform=google_ads`);
    await expectAnswer([202], 'POST', `${ROLLOUTS}/${rollout.id}/rollback`, { json: { reason: 'checking the contract' } });
    await waitFor(status, (r) => r.json?.stage === 'rolled_back', { timeoutMs: 15_000, what: 'rolled back' });
    const promoted = (await expectAnswer([201], 'POST', ROLLOUTS, { json: percentageRolloutRequest('OpenAPI promote') })).json;
    await expectAnswer([202], 'POST', `${ROLLOUTS}/${promoted.id}/start`);
    await waitFor(statusOf(promoted.id), (r) => r.json?.stage === 'running', { timeoutMs: 15_000, what: 'second rollout running' });
    await expectAnswer([202], 'POST', `${ROLLOUTS}/${promoted.id}/promote`);

    // Live integration: the suites waited for, then the org's health and reports.
    const LIVE = `${V1}/live-integration`;
    await expectAnswer([200], 'POST', `${LIVE}/test-connection/${connection.id}`, { json: range });
    await expectAnswer([200], 'POST', `${LIVE}/test-suite`, { json: { connection_id: connection.id, components: ['connection', 'hybrid'], ...range } });
    await expectAnswer([200], 'POST', `${LIVE}/test-all-connections`, { json: { components: ['connection'] } });
    await expectAnswer([200], 'GET', `${LIVE}/health-status`);
    await expectAnswer([200], 'GET', `${LIVE}/integration-status`);
    await expectAnswer([200], 'GET', `${LIVE}/data-modes`);

    await expectAnswer([204], 'DELETE', CONNECTION);

    // Every operation answered at least once, each answer checked against the document by createTestApi.
    const answered = new Set(api.contract.answered().keys());
    const documented = Object.entries(document.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.filter((operation) => !answered.has(operation))).toEqual([]);
  }, 240_000);
});
