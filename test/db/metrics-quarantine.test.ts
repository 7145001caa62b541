import { randomUUID } from 'node:crypto';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { toMetricsBatch } from '../../db/metrics-copy-format';
import { withPgTransaction } from '../../db/pg-transaction';
import { insertConnection } from '../../db/repositories/connections';
import { appendAudit } from '../../db/repositories/audit-log';
import { countMetrics, listMetrics, upsertMetrics } from '../../db/repositories/marketing-metrics';
import { insertNotification } from '../../db/repositories/notifications';
import { fallBackSyncLogToMock } from '../../db/repositories/sync-fallback';
import { closeSyncLog, openSyncLog } from '../../db/repositories/sync-logs';
import { MAX_ENTITY_ID_BYTES } from '../../db/storable-metric-record';
import type { MetricRecord } from '../../domain/sync';
import { testEnv } from '../setup/test-env';
import { connectionRow } from '../setup/fixtures';

function record(entityId: string, overrides: Partial<MetricRecord> = {}): MetricRecord {
  return {
    stream: 'contacts',
    entityId,
    date: '2026-03-01',
    entityName: `Contact ${entityId}`,
    parentId: null,
    impressions: 10,
    clicks: 1,
    spend: 2.5,
    conversions: null,
    revenue: 12.34,
    currency: 'USD',
    raw: { id: entityId, first_name: 'Ada' },
    ...overrides,
  };
}

describe('writing pages Postgres cannot store as sent (NUL, surrogates, out-of-range values)', () => {
  let database: DatabaseHandle;
  let connectionId: string;
  const orgId = `org-${randomUUID()}`;
  const target = () => ({ connectionId, orgId, platform: 'hubspot' as const, stream: 'contacts' as const, source: 'live' as const });

  beforeAll(async () => {
    database = createDatabase(testEnv('databaseUrl'), { max: 2 });
  });
  beforeEach(async () => {
    connectionId = randomUUID();
    await insertConnection(
      database.db,
      connectionRow(orgId, { id: connectionId, platform: 'hubspot', account_id: `portal-${connectionId}`, display_name: 'HubSpot', data_mode: 'live' }),
    );
  });
  afterAll(() => database.close());

  const write = (records: MetricRecord[]) => withPgTransaction(database.pool, (trx) => upsertMetrics(trx.client, toMetricsBatch(target(), records)));
  const stored = async () => (await listMetrics(database.db, connectionId, { limit: 100, offset: 0 })).sort((a, b) => a.entity_id.localeCompare(b.entity_id));

  it('stores a record with NUL and unpaired surrogates in its text and raw JSON, stripped and replaced alike everywhere', async () => {
    const dirty = record('c\u00001', {
      entityName: 'Ada\u0000 Love\ud800lace',
      parentId: 'co\u0000mpany-\udc00',
      raw: { id: 'c1', first_name: 'Ada\u0000', 'key\u0000': ['x\u0000y', { deep: 'a\ud800b' }], emoji: '😀', literal: 'backslash \\u0000 stays' },
    });
    const batch = toMetricsBatch(target(), [dirty, record('c2')]);
    expect(batch).toMatchObject({ count: 2, quarantined: { count: 0 }, cleaned: { count: 1 } });
    expect(batch.cleaned.samples[0]).toEqual({
      stream: 'contacts',
      entityId: 'c1',
      date: '2026-03-01',
      field: expect.any(String),
      reason: expect.any(String),
    });
    expect(batch.cleaned.samples[0]!.field.split(', ').sort()).toEqual(['entity_id', 'entity_name', 'parent_id', 'raw']);
    expect(batch.cleaned.samples[0]!.reason.split('; ').sort()).toEqual(['NUL (U+0000) removed', 'unpaired UTF-16 surrogate replaced with U+FFFD']);
    const written = await withPgTransaction(database.pool, (trx) => upsertMetrics(trx.client, batch));
    expect(written).toEqual({ written: 2, rejected: { count: 0, samples: [] } });
    const [c1] = await stored();
    expect(c1).toMatchObject({ entity_id: 'c1', entity_name: 'Ada Love\ufffdlace', parent_id: 'company-\ufffd' });
    // A paired surrogate (an emoji) is text like any other; a literal backslash-u stays literal.
    expect(c1!.raw).toEqual({ id: 'c1', first_name: 'Ada', key: ['xy', { deep: 'a\ufffdb' }], emoji: '😀', literal: 'backslash \\u0000 stays' });
  });

  it('quarantines records no column can hold and writes the rest of the page', async () => {
    const longId = 'x'.repeat(MAX_ENTITY_ID_BYTES + 1);
    const bad: [MetricRecord, string, RegExp][] = [
      [record('huge-revenue', { revenue: 1e15 }), 'revenue', /out of range for numeric/],
      [record('nan-spend', { spend: Number.NaN }), 'spend', /not a finite number/],
      [record('fraction-clicks', { clicks: 1.5 }), 'clicks', /whole number/],
      [record('huge-impressions', { impressions: 2 ** 64 }), 'impressions', /out of range for bigint/],
      [record('bad-day', { date: '2026-02-30' }), 'date', /not a calendar date/],
      [record('year-zero', { date: '0000-01-01' }), 'date', /not a calendar date/],
      [record('no-date', { date: '1st of May' }), 'date', /YYYY-MM-DD/],
      [record(longId), 'entity_id', /too long/],
      [record('no-raw', { raw: undefined as unknown as Record<string, unknown> }), 'raw', /JSON object/],
      [record('bigint-raw', { raw: { n: 1n } as unknown as Record<string, unknown> }), 'raw', /JSON object/],
    ];
    const batch = toMetricsBatch(target(), [record('good-1'), ...bad.map(([r]) => r), record('good-2')]);
    expect(batch.count).toBe(2);
    expect(batch.quarantined.count).toBe(bad.length);
    expect(batch.quarantined.samples.map((s) => s.field)).toEqual(bad.map(([, field]) => field));
    bad.forEach(([, , reason], i) => expect(batch.quarantined.samples[i]!.reason).toMatch(reason));
    // Samples identify the record; a long id is clipped, and no value of the record is in them.
    expect(batch.quarantined.samples[7]!.entityId!.length).toBeLessThan(300);
    expect(JSON.stringify(batch.quarantined.samples)).not.toContain('1000000000000000');

    expect(await withPgTransaction(database.pool, (trx) => upsertMetrics(trx.client, batch))).toMatchObject({ written: 2 });
    expect((await stored()).map((r) => r.entity_id)).toEqual(['good-1', 'good-2']);
  });

  it('a row Postgres still refuses is found by halves and left out: the page, and a later upsert of it, go in', async () => {
    // A line toMetricsBatch would never write (a bigint column given text), standing for any value
    // Postgres refuses that the checks before COPY do not know about.
    const good = toMetricsBatch(target(), [record('a'), record('b'), record('c'), record('d'), record('e')]);
    const lines = good.copyText.split('\n').slice(0, -1);
    lines.splice(3, 0, lines[0]!.replace('\ta\t', '\trefused\t').replace('\t10\t1\t', '\tten\t1\t'));
    const batch = { ...good, count: lines.length, copyText: `${lines.join('\n')}\n` };

    for (const attempt of ['fast path (new rows)', 'upsert path (rows exist)']) {
      const result = await withPgTransaction(database.pool, (trx) => upsertMetrics(trx.client, batch));
      expect({ attempt, ...result }).toEqual({
        attempt,
        written: 5,
        rejected: {
          count: 1,
          samples: [{ stream: 'contacts', entityId: 'refused', date: '2026-03-01', field: 'impressions', reason: expect.stringContaining('SQLSTATE 22P02') }],
        },
      });
      // The value Postgres quoted in its message is not repeated.
      expect(result.rejected.samples[0]!.reason).not.toContain('ten');
      expect(await countMetrics(database.db, connectionId)).toBe(5);
    }
  });

  it('the same key twice in one page: the later record wins, nothing is refused', async () => {
    await write([record('dup', { clicks: 1 })]);
    const result = await write([record('dup', { clicks: 2 }), record('other'), record('dup', { clicks: 3 })]);
    expect(result).toEqual({ written: 3, rejected: { count: 0, samples: [] } });
    expect((await stored()).map((r) => [r.entity_id, Number(r.clicks)])).toEqual([
      ['dup', 3],
      ['other', 1],
    ]);
  });

  it('errors that are not about a row still fail the page', async () => {
    const batch = toMetricsBatch({ ...target(), connectionId: randomUUID() }, [record('orphan')]);
    await expect(withPgTransaction(database.pool, (trx) => upsertMetrics(trx.client, batch))).rejects.toMatchObject({ code: '23503' });
  });

  it('a platform error message with a NUL is stored on the sync log, its audit entry and its notification', async () => {
    const quoted = 'upstream said: bad\u0000 value \ud800';
    const { log } = await openSyncLog(database.db, {
      connection_id: connectionId,
      org_id: orgId,
      platform: 'hubspot',
      workflow_id: 'wf',
      run_id: randomUUID(),
      status: 'running',
      source: 'live',
      window_start: '2026-01-01',
      window_end: '2026-01-31',
      error: null,
      checkpoint: null,
      fallback_reason: `auto chose mock: ${quoted}`,
    });
    expect(log.fallback_reason).toBe('auto chose mock: upstream said: bad value \ufffd');
    expect(await fallBackSyncLogToMock(database.db, log.id, { stream: 'contacts', reason: quoted })).toBeDefined();
    expect(await closeSyncLog(database.db, log.id, { status: 'failed', error: quoted, at: new Date() })).toMatchObject({
      error: 'upstream said: bad value \ufffd',
      fallback_reason: 'upstream said: bad value \ufffd',
    });
    await appendAudit(database.db, {
      org_id: orgId,
      actor_id: 'system:scheduler',
      actor_role: 'system',
      action: 'sync.end',
      target_type: 'connection',
      target_id: connectionId,
      outcome: 'failure',
      request_id: null,
      details: { error: quoted, ['k\u0000']: [quoted] },
    });
    const audit = await database.db.selectFrom('audit_log').select('details').where('target_id', '=', connectionId).executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ error: 'upstream said: bad value \ufffd', k: ['upstream said: bad value \ufffd'] });
    await expect(
      insertNotification(database.db, { org_id: orgId, connection_id: connectionId, kind: 'connection.disabled', payload: { error: quoted } }),
    ).resolves.toEqual(expect.any(String));
  });
});
