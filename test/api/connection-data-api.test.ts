import { randomUUID } from 'node:crypto';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { createMockConnector } from '../../connectors/mock/connector';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { insertRollout } from '../../db/repositories/rollouts';
import type { DataMode } from '../../domain/connection';
import type { PlatformQuotas } from '../../domain/platform-quotas';
import type { RolloutConfig } from '../../domain/rollout';
import { createTestApi } from '../setup/api-client';
import { createTestConnection } from '../setup/fixtures';
import { NO_PLATFORM_QUOTAS, openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const DATA = '/api/v1/platform-connections/data';
const RANGE = { start_date: '2026-02-01', end_date: '2026-02-10' };
const ROWS = 10 * 18; // 10 days × 18 ads, live and mock alike

describe('POST /platform-connections/data', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-data-${randomUUID().slice(0, 8)}`;
  let viewer: string;
  /** `<entity>|<date>` → impressions, as each source serves the account. */
  let mockImpressions: Map<string, number>;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 50 });
    api = createTestApi(harness, { taskQueue: uniqueName('api-data'), baseUrls: { google_ads: emulator.url } });
    viewer = await api.token(orgId, 'viewer');
    const page = await createMockConnector({ platform: 'google_ads', accountId: emulator.shape.accountId }).fetchPage({
      stream: 'ad_performance',
      cursor: null,
      window: { startDate: RANGE.start_date, endDate: RANGE.end_date },
      pageSize: 10_000,
    });
    mockImpressions = new Map(page.records.map((r) => [`${r.entityId}|${r.date}`, r.impressions!]));
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await emulator.close();
    await harness.close();
  });

  /** Each connection in an org of its own (one connection per account and org); the viewer token of its org reads it. */
  const orgOf = new Map<string, string>();
  const connectionIn = async (dataMode: DataMode, credentials: Record<string, string> = { ...emulator.credentials }) => {
    const connection = await createTestConnection(harness, { platform: 'google_ads', dataMode, accountId: emulator.shape.accountId, credentials });
    orgOf.set(connection.id, connection.org_id);
    return connection;
  };
  const post = async (json: Record<string, unknown>) => {
    const org = orgOf.get(json.connection_id as string);
    return api.call('POST', DATA, { token: org ? await api.token(org, 'viewer') : viewer, json });
  };
  type Answer = { source: string; records: { entity_id: string; date: string; impressions: number }[]; next_cursor: string | null };
  const fromMock = (a: Answer) => a.records.every((r) => r.impressions === mockImpressions.get(`${r.entity_id}|${r.date}`));
  /** Follows next_cursor to the end; answers every record and the answers' sources. */
  async function readAll(json: Record<string, unknown>) {
    const answers: Answer[] = [];
    let cursor: string | undefined;
    do {
      const res = await post({ ...json, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      answers.push(res.json);
      cursor = res.json.next_cursor ?? undefined;
    } while (cursor && answers.length < 50);
    return { answers, records: answers.flatMap((a) => a.records) };
  }

  it('mock: serves the generator, paginated by an opaque cursor, without touching Postgres', async () => {
    const connection = await connectionIn('mock');
    const first = await post({ connection_id: connection.id, ...RANGE, limit: 100 });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      connection_id: connection.id,
      platform: 'google_ads',
      stream: 'ad_performance',
      mode: 'mock',
      source: 'mock',
      fallback_reason: null,
      window: RANGE,
    });
    expect(first.json.records).toHaveLength(100);
    expect(typeof first.json.next_cursor).toBe('string');
    const all = await readAll({ connection_id: connection.id, ...RANGE, limit: 100 });
    expect(all.records).toHaveLength(ROWS);
    expect(new Set(all.records.map((r) => `${r.entity_id}|${r.date}`)).size).toBe(ROWS);
    expect(all.answers.every(fromMock)).toBe(true);
    expect(await countMetrics(harness.database.db, connection.id)).toBe(0);
  });

  it('live: reads the platform; a limit smaller than its pages is served exactly, page by page, nothing skipped or repeated', async () => {
    const connection = await connectionIn('live');
    const all = await readAll({ connection_id: connection.id, ...RANGE, limit: 30 });
    expect(all.answers.every((a) => a.source === 'live')).toBe(true);
    expect(all.answers.map((a) => a.records.length)).toEqual([30, 30, 30, 30, 30, 30]);
    expect(new Set(all.records.map((r) => `${r.entity_id}|${r.date}`)).size).toBe(ROWS);
    expect(all.answers.some(fromMock)).toBe(false);
  });

  it('live: a failing platform answers 502 with its kind, and the read is audited as a failure', async () => {
    const connection = await connectionIn('live');
    emulator.faults.set({ failNext: { status: 500, count: 100 } });
    const res = await post({ connection_id: connection.id, ...RANGE });
    expect(res.status).toBe(502);
    expect(res.json.error).toMatchObject({ code: 'platform_unavailable', details: { kind: 'transient', status: 500 } });
    expect(res.text).not.toContain(emulator.credentials.access_token!);
    const audit = await harness.database.db.selectFrom('audit_log').select(['action', 'outcome', 'details']).where('target_id', '=', connection.id).execute();
    expect(audit).toEqual([
      { action: 'connection.data_read', outcome: 'failure', details: expect.objectContaining({ mode: 'live', source: 'live', records: 0 }) },
    ]);
  });

  it('hybrid: live while it works; mock, saying why, when the platform fails or its data fails the quality gate', async () => {
    const connection = await connectionIn('hybrid');
    const healthy = await post({ connection_id: connection.id, ...RANGE, limit: 50 });
    expect(healthy.json).toMatchObject({ mode: 'hybrid', source: 'live', fallback_reason: null });
    expect(healthy.json.records.every((r: { source: string }) => r.source === 'live')).toBe(true);

    emulator.faults.set({ errorRate: 1 });
    const failing = await post({ connection_id: connection.id, ...RANGE, limit: 50 });
    expect(failing.status).toBe(200);
    expect(failing.json).toMatchObject({ mode: 'hybrid', source: 'mock', fallback_reason: expect.stringMatching(/^live transient failure: .*HTTP 500/) });
    expect(fromMock(failing.json)).toBe(true);
    // Every record carries the source that served it, in the words of marketing_metrics.source.
    expect(failing.json.records.length).toBeGreaterThan(0);
    expect(failing.json.records.every((r: { source: string }) => r.source === 'mock')).toBe(true);
    // The rest of that listing stays on mock, whatever the platform does meanwhile.
    emulator.faults.clear();
    const next = await post({ connection_id: connection.id, ...RANGE, limit: 50, cursor: failing.json.next_cursor });
    expect(next.json).toMatchObject({ source: 'mock', fallback_reason: failing.json.fallback_reason });
    expect(fromMock(next.json)).toBe(true);

    emulator.faults.set({ implausibleMetrics: true });
    const implausible = await post({ connection_id: connection.id, ...RANGE, limit: 50 });
    expect(implausible.json).toMatchObject({ source: 'mock', fallback_reason: expect.stringMatching(/^quality gate: .*clicks \(\d+\) exceed impressions/) });
  });

  it('auto: mock without credentials, live with them; `mode` overrides the connection’s mode for one read', async () => {
    const without = await connectionIn('auto', {});
    expect((await post({ connection_id: without.id, ...RANGE, limit: 5 })).json).toMatchObject({
      mode: 'auto',
      source: 'mock',
      fallback_reason: 'no credentials for the live platform',
    });
    const withCredentials = await connectionIn('auto');
    expect((await post({ connection_id: withCredentials.id, ...RANGE, limit: 5 })).json).toMatchObject({ mode: 'auto', source: 'live', fallback_reason: null });

    const mock = await connectionIn('mock');
    expect((await post({ connection_id: mock.id, ...RANGE, limit: 5, mode: 'live' })).json).toMatchObject({ mode: 'live', source: 'live' });
    const audit = await harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'actor_id', 'details'])
      .where('target_id', '=', mock.id)
      .execute();
    expect(audit).toEqual([
      {
        action: 'connection.data_read',
        outcome: 'success',
        actor_id: 'viewer-user',
        details: expect.objectContaining({ mode: 'live', source: 'live', stream: 'ad_performance', records: 5 }),
      },
    ]);
  });

  it('refuses bad input with a clear 4xx', async () => {
    const connection = await connectionIn('mock');
    const other = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId: 'org-someone-else' });
    const cases: [Record<string, unknown>, number, string][] = [
      [{ connection_id: connection.id, ...RANGE, limit: 1001 }, 400, 'validation_error'],
      [{ connection_id: connection.id, ...RANGE, limit: 0 }, 400, 'validation_error'],
      [{ connection_id: connection.id, start_date: '2026-02-10', end_date: '2026-02-01' }, 400, 'validation_error'],
      [{ connection_id: connection.id, start_date: '2026-02-30', end_date: '2026-03-01' }, 400, 'validation_error'],
      [{ connection_id: connection.id, ...RANGE, mode: 'sometimes' }, 400, 'validation_error'],
      [{ connection_id: connection.id, ...RANGE, colour: 'red' }, 400, 'validation_error'],
      [{ ...RANGE }, 400, 'validation_error'],
      [{ connection_id: connection.id, ...RANGE, cursor: 'not-a-cursor' }, 400, 'invalid_cursor'],
      [{ connection_id: connection.id, ...RANGE, stream: 'orders' }, 422, 'stream_unavailable'],
      [{ connection_id: other.id, ...RANGE }, 404, 'not_found'],
      [{ connection_id: 'not-a-uuid', ...RANGE }, 404, 'not_found'],
    ];
    for (const [json, status, code] of cases) {
      const res = await post(json);
      expect({ json, status: res.status, code: res.json?.error?.code }).toEqual({ json, status, code });
    }
    // A cursor belongs to its listing: another range is refused.
    const first = await post({ connection_id: connection.id, ...RANGE, limit: 10 });
    const misused = await post({ connection_id: connection.id, start_date: '2026-01-01', end_date: '2026-01-31', limit: 10, cursor: first.json.next_cursor });
    expect(misused.json.error.code).toBe('invalid_cursor');
  });

  it('refuses to read live a connection that is disabled, awaiting re-authorisation or held on mock by its rollout', async () => {
    const statusCases = [
      ['disabled', 409, 'connection_disabled'],
      ['reauth_required', 409, 'connection_reauth_required'],
      ['error', 409, 'connection_not_active'],
    ] as const;
    for (const [status, code, error] of statusCases) {
      const connection = await connectionIn('live');
      await harness.database.db.updateTable('user_platform_connections').set({ status }).where('id', '=', connection.id).execute();
      const before = emulator.faults.stats().requests;
      const res = await post({ connection_id: connection.id, ...RANGE, limit: 5, mode: 'live' });
      expect({ status, code: res.status, error: res.json?.error?.code }).toEqual({ status, code, error });
      expect(emulator.faults.stats().requests).toBe(before);
      // The connection test keeps to the same rule.
      const test = await api.call('POST', `/api/v1/platform-connections/connections/${connection.id}/test`, {
        token: await api.token(connection.org_id, 'editor'),
      });
      expect({ status, code: test.status, error: test.json?.error?.code }).toEqual({ status, code, error });
    }

    // An auto connection the org's running rollout does not expose yet: `mode: live` cannot go round it.
    const held = await connectionIn('auto');
    const config: RolloutConfig = {
      strategy: 'user',
      steps: [{ users: ['someone-else'], minDurationSeconds: 3600 }],
      success: { minSuccessRate: 0.9, maxErrorRate: 0.1, minSampleSize: 2 },
      rollback: { maxErrorRate: 0.5, minSampleSize: 2 },
      advance: 'manual',
      analysisIntervalSeconds: 60,
      maxInconclusiveSeconds: 600,
    };
    const rollout = await insertRollout(harness.database.db, { id: randomUUID(), orgId: held.org_id, name: 'staged live', config, createdBy: 'tester' });
    await harness.database.db.updateTable('rollouts').set({ stage: 'running', step_index: 0 }).where('id', '=', rollout.id).execute();
    const before = emulator.faults.stats().requests;
    for (const mode of [undefined, 'auto'] as const) {
      expect((await post({ connection_id: held.id, ...RANGE, limit: 5, ...(mode ? { mode } : {}) })).json).toMatchObject({
        source: 'mock',
        fallback_reason: 'not yet exposed by rollout "staged live"',
      });
    }
    const live = await post({ connection_id: held.id, ...RANGE, limit: 5, mode: 'live' });
    expect({ status: live.status, code: live.json.error.code }).toEqual({ status: 403, code: 'not_exposed_by_rollout' });
    const hybrid = await post({ connection_id: held.id, ...RANGE, limit: 5, mode: 'hybrid' });
    expect(hybrid.status).toBe(200);
    expect(hybrid.json).toMatchObject({ source: 'mock', fallback_reason: expect.stringContaining('not yet exposed by rollout "staged live"') });
    const viaHybridData = await api.call('POST', '/api/v1/live-integration/hybrid-data', {
      token: await api.token(held.org_id, 'viewer'),
      json: { connection_id: held.id, ...RANGE, limit: 5 },
    });
    expect(viaHybridData.json).toMatchObject({ source: 'mock', fallback_reason: expect.stringContaining('not yet exposed by rollout') });
    expect(emulator.faults.stats().requests).toBe(before);

    // A listing started live stops when the connection is disabled between pages.
    const paged = await connectionIn('live');
    const first = await post({ connection_id: paged.id, ...RANGE, limit: 10, mode: 'live' });
    expect(first.json.source).toBe('live');
    await harness.database.db.updateTable('user_platform_connections').set({ status: 'disabled' }).where('id', '=', paged.id).execute();
    const next = await post({ connection_id: paged.id, ...RANGE, limit: 10, mode: 'live', cursor: first.json.next_cursor });
    expect({ status: next.status, code: next.json.error.code }).toEqual({ status: 409, code: 'connection_disabled' });
  });

  it('a next_cursor is signed: one with a field changed (its source, its position) is refused', async () => {
    const connection = await connectionIn('live');
    const first = await post({ connection_id: connection.id, ...RANGE, limit: 10 });
    expect(first.json.source).toBe('live');
    const token: string = first.json.next_cursor;
    /** The cursor's JSON with `change` applied, re-encoded, keeping whatever signature the token had. */
    const tampered = (change: Record<string, unknown>) => {
      const dot = token.lastIndexOf('.');
      const [payload, signature] = dot > 0 ? [token.slice(0, dot), token.slice(dot)] : [token, ''];
      const cursor = JSON.parse(Buffer.from(payload, 'base64url').toString());
      return Buffer.from(JSON.stringify({ ...cursor, ...change })).toString('base64url') + signature;
    };
    for (const change of [{ source: 'mock' }, { skip: 3 }, { page_cursor: 'forged' }]) {
      const res = await post({ connection_id: connection.id, ...RANGE, limit: 10, cursor: tampered(change) });
      expect({ change, status: res.status, code: res.json?.error?.code }).toEqual({ change, status: 400, code: 'invalid_cursor' });
    }
    const genuine = await post({ connection_id: connection.id, ...RANGE, limit: 10, cursor: token });
    expect(genuine.status).toBe(200);
    expect(genuine.json.source).toBe('live');
  });

  it('live reads spend the fleet-wide platform quota buckets, as worker syncs do', async () => {
    const quota = uniqueName('api-read-quota');
    const quotas: PlatformQuotas = {
      ...NO_PLATFORM_QUOTAS,
      google_ads: [{ kind: 'token_bucket', name: quota, scope: 'account', burst: 1000, perSecond: 0.001 }],
    };
    const metered = createTestApi(harness, { taskQueue: uniqueName('api-data-quota'), baseUrls: { google_ads: emulator.url }, quotas });
    const connection = await connectionIn('live');
    const res = await metered.call('POST', DATA, {
      token: await metered.token(connection.org_id, 'viewer'),
      json: { connection_id: connection.id, ...RANGE, limit: 120 },
    });
    expect(res.status).toBe(200);
    expect(res.json.source).toBe('live');
    const bucket = await harness.database.db
      .selectFrom('platform_rate_buckets')
      .selectAll()
      .where('platform', '=', 'google_ads')
      .where('quota', '=', quota)
      .executeTakeFirstOrThrow();
    expect(bucket.scope_key).toBe(emulator.shape.accountId);
    // 120 records at the emulator's 50 a page: three page requests, three tokens of the bucket spent.
    expect(Math.round(900 - Number(bucket.tokens))).toBe(3);

    // A spent quota is not read around: the API answers 429 with when it resets, and the platform sees nothing.
    const daily: PlatformQuotas = {
      ...NO_PLATFORM_QUOTAS,
      google_ads: [{ kind: 'fixed_window', name: uniqueName('api-read-daily'), scope: 'account', limit: 2, windowSeconds: 86_400 }],
    };
    const capped = createTestApi(harness, { taskQueue: uniqueName('api-data-daily'), baseUrls: { google_ads: emulator.url }, quotas: daily });
    const token = await capped.token(connection.org_id, 'viewer');
    expect((await capped.call('POST', DATA, { token, json: { connection_id: connection.id, ...RANGE, limit: 5 } })).status).toBe(200);
    const before = emulator.faults.stats().requests;
    const spent = await capped.call('POST', DATA, { token, json: { connection_id: connection.id, ...RANGE, limit: 5 } });
    expect({ status: spent.status, code: spent.json.error.code }).toEqual({ status: 429, code: 'platform_quota_exhausted' });
    expect(spent.json.error.details).toMatchObject({ platform: 'google_ads', resume_at: expect.any(String) });
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(emulator.faults.stats().requests).toBe(before);
  });
});
