import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { freePort, runScript, type ServiceProcess, startServiceProcess, waitFor } from '../../scripts/service-process';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';
import { testEnv } from '../setup/test-env';

/**
 * The user's path with the real processes: the API and the worker started as ./scripts/start
 * starts them, a token from `npm run token`, a mock meta_business connection created and synced
 * over HTTP, its rows in Postgres, its run findable by OrgId, and both /metrics endpoints scraped.
 */
describe('end to end: HTTP API → Temporal workflow → Postgres', () => {
  const secret = `EAAB-e2e-${randomBytes(12).toString('hex')}`;
  const orgId = `org-e2e-${randomUUID().slice(0, 8)}`;
  let harness: TestHarness;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let env: NodeJS.ProcessEnv;
  let apiUrl: string;
  let emulator: RunningEmulator;
  // Known secret values for the live connection: the search below looks for them everywhere.
  const liveSecrets = { access_token: `ya29.e2e-${randomBytes(12).toString('hex')}`, developer_token: `devtok-${randomBytes(12).toString('hex')}` };
  let workerMetricsUrl: string;
  let apiMetricsUrl: string;
  const responses: string[] = [];

  async function http(method: string, path: string, token: string, json?: unknown) {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    responses.push(text);
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { credentials: liveSecrets, pageSize: 200 });
    const [apiPort, apiMetricsPort, workerMetricsPort, sdkMetricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    env = {
      ...process.env,
      DATABASE_URL: testEnv('databaseUrl'),
      TEMPORAL_ADDRESS: testEnv('temporalAddress'),
      TEMPORAL_TASK_QUEUE: uniqueName('e2e'),
      PORT: String(apiPort),
      API_METRICS_PORT: String(apiMetricsPort),
      WORKER_METRICS_PORT: String(workerMetricsPort),
      TEMPORAL_SDK_METRICS_PORT: String(sdkMetricsPort),
      JWT_SECRET: randomBytes(32).toString('hex'),
      PAYLOAD_CODEC_KEYS: harness.payloadCodecKeys,
      CREDENTIALS_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'liftos-e2e-')),
      GOOGLE_ADS_BASE_URL: emulator.url,
      ALLOW_LOOPBACK_PLATFORM_HOSTS: 'true',
      // The most verbose level: if a secret were logged anywhere, it would be here.
      LOG_LEVEL: 'trace',
    };
    apiUrl = `http://127.0.0.1:${apiPort}`;
    workerMetricsUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
    apiMetricsUrl = `http://127.0.0.1:${apiMetricsPort}/metrics`;
    worker = startServiceProcess('workers/main.ts', { env, capture: true });
    api = startServiceProcess('api/main.ts', { env, capture: true });
    await waitFor(
      () => fetch(`${apiUrl}/health`).then((r) => r.status),
      (s) => s === 200,
      { timeoutMs: 60_000, what: 'API health' },
    );
    await waitFor(
      () => fetch(workerMetricsUrl).then((r) => r.status),
      (s) => s === 200,
      { timeoutMs: 60_000, what: 'worker metrics' },
    );
  }, 90_000);

  afterAll(async () => {
    const codes = await Promise.all([api?.stop(), worker?.stop()]);
    await emulator?.close();
    await harness.close();
    expect(codes).toEqual([0, 0]);
  });

  it('creates, syncs and exposes a mock meta_business connection, with the secret nowhere in plaintext', async () => {
    const token = (await runScript('scripts/token.ts', ['--org', orgId, '--user', 'ada', '--role', 'admin'], env)).trim();
    const created = await http('POST', '/api/v1/platform-connections/connections', token, {
      platform: 'meta_business',
      data_mode: 'mock',
      credentials: { access_token: secret },
      account_id: 'act_e2e',
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    const started = await http('POST', `/api/v1/platform-connections/connections/${id}/sync`, token, { start_date: '2026-01-01', end_date: '2026-02-28' });
    expect(started.status).toBe(202);
    const done = await waitFor(
      () => http('GET', `/api/v1/platform-connections/connections/${id}/sync`, token),
      (r) => r.json?.status === 'completed',
      { timeoutMs: 60_000, what: 'sync completed' },
    );
    const expectedRows = 59 * 18;
    expect(done.json.records_synced).toBe(expectedRows);
    expect(await countMetrics(harness.database.db, id, { source: 'mock' })).toBe(expectedRows);

    // The Web UI's filter: the run is found by its org's search attribute.
    const runs = await waitFor(
      async () => {
        const found: string[] = [];
        for await (const wf of harness.temporal.client.workflow.list({ query: `OrgId = "${orgId}" AND Platform = "meta_business" AND ConnectionId = "${id}"` }))
          found.push(wf.workflowId);
        return found;
      },
      (found) => found.length === 1,
      { timeoutMs: 30_000, what: 'visibility by OrgId' },
    );
    expect(runs).toEqual([started.json.workflow_id]);

    // The API's metrics, an org's custom series among them, are on their own port; the public port has none.
    const custom = await http('POST', '/api/v1/rollout-monitoring/metrics', token, {
      name: 'liftos_custom_e2e_ratio',
      kind: 'gauge',
      value: 0.5,
      labels: { rollout_id: 'r-e2e' },
    });
    expect(custom).toMatchObject({ status: 201, json: { recorded: 1, exported: 1 } });
    const publicScrape = await fetch(`${apiUrl}/metrics`);
    expect(publicScrape.status).toBe(404);
    expect(await publicScrape.text()).not.toContain(orgId);
    const apiMetrics = await (await fetch(apiMetricsUrl)).text();
    expect(apiMetrics).toContain(`liftos_custom_e2e_ratio{rollout_id="r-e2e",org_id="${orgId}"} 0.5`);
    expect(apiMetrics).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/platform-connections\/connections\/:id\/sync",status="202"\} 1/,
    );
    const workerMetrics = await (await fetch(workerMetricsUrl)).text();
    expect(workerMetrics).toMatch(/liftos_syncs_started_total\{platform="meta_business",source="mock"\} 1/);
    expect(workerMetrics).toMatch(/liftos_syncs_completed_total\{platform="meta_business",source="mock"\} 1/);
    expect(workerMetrics).toMatch(new RegExp(`liftos_sync_records_total\\{platform="meta_business",stream="ad_performance"\\} ${expectedRows}`));
    expect(workerMetrics).toMatch(/^temporal_workflow_completed_total\{/m);

    // Secrets: not in any API response, any process log line, or the workflow's history.
    const history = await harness.temporal.client.workflow.getHandle(started.json.workflow_id).fetchHistory();
    expect(JSON.stringify(history)).not.toContain(secret);
    expect(responses.join('\n')).not.toContain(secret);
    expect(api.output() + worker.output()).not.toContain(secret);
    expect(worker.output()).toContain('worker started');
  });

  it('keeps live credentials secret: absent from workflow history (temporal workflow show), logs, API responses and the database', async () => {
    const token = (await runScript('scripts/token.ts', ['--org', orgId, '--user', 'grace', '--role', 'admin'], env)).trim();
    const created = await http('POST', '/api/v1/platform-connections/connections', token, {
      platform: 'google_ads',
      data_mode: 'live',
      credentials: liveSecrets,
      account_id: emulator.shape.accountId,
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect((await http('POST', `/api/v1/platform-connections/connections/${id}/test`, token)).json).toMatchObject({ ok: true, source: 'live' });
    const started = await http('POST', `/api/v1/platform-connections/connections/${id}/sync`, token, { start_date: '2026-03-01', end_date: '2026-03-31' });
    const done = await waitFor(
      () => http('GET', `/api/v1/platform-connections/connections/${id}/sync`, token),
      (r) => r.json?.status === 'completed',
      { timeoutMs: 60_000, what: 'live sync completed' },
    );
    expect(done.json).toMatchObject({ source: 'live', records_synced: 31 * 18 });

    const secrets = Object.values(liveSecrets);
    const forms = (value: string) => [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')];
    const expectNowhere = (haystack: string, where: string) => {
      for (const secret of secrets) for (const form of forms(secret)) expect({ where, found: haystack.includes(form) }).toEqual({ where, found: false });
    };

    // What an operator sees with the Temporal CLI: every payload is ciphertext.
    const shown = execFileSync(process.env.TEMPORAL_CLI ?? join(__dirname, '..', '..', '.tools', 'temporal'), [
      'workflow',
      'show',
      '--workflow-id',
      started.json.workflow_id,
      '--address',
      testEnv('temporalAddress'),
      '--output',
      'json',
    ]).toString();
    expect(shown).toContain('YmluYXJ5L2VuY3J5cHRlZA=='); // base64 of binary/encrypted
    expectNowhere(shown, 'temporal workflow show');
    expectNowhere(api.output() + worker.output(), 'process logs');
    expectNowhere(responses.join('\n'), 'API responses');
    expectNowhere(await databaseDump(harness), 'database dump');
  });
});

/** Every row of every table as text (bytea as hex): what a dump of the database would hold. */
async function databaseDump(harness: TestHarness): Promise<string> {
  const tables = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(harness.database.db);
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(harness.database.db);
    parts.push(...rows.rows.map((r) => r.row));
  }
  return parts.join('\n');
}
