import { randomUUID } from 'node:crypto';
import type { Connector, ConnectorConfig, FetchPageRequest } from '../../connectors/connector';
import { type EmulatedPlatform, type RunningEmulator, startEmulator } from '../../connectors/emulator';
import type { DatabaseHandle } from '../../db/database';
import { toMetricsBatch } from '../../db/metrics-copy-format';
import { withPgTransaction } from '../../db/pg-transaction';
import { insertConnection } from '../../db/repositories/connections';
import { countMetrics, upsertMetrics } from '../../db/repositories/marketing-metrics';
import { PLATFORMS } from '../../domain/platforms';
import { connectorFailure, readAllPages } from './connector-test-kit';
import { connectionRow } from './fixtures';

/**
 * The failure cases every connector must classify alike, whatever its platform: 5xx and network
 * failures are transient (retried), an unreadable body is malformed (not retried), and no error
 * message carries a credential. Part of the conformance suite (test/unit/connectors/conformance.test.ts).
 */
export function itClassifiesPlatformFaults(subject: {
  platform: EmulatedPlatform;
  emulator: () => RunningEmulator;
  connect: (overrides?: Partial<ConnectorConfig>) => Connector;
  request: FetchPageRequest;
  /** Credential values no error message may carry. */
  secrets: () => readonly string[];
}): void {
  const failureOf = (work: Promise<unknown>) => connectorFailure(work, subject.secrets());

  it.each([500, 503] as const)('classifies HTTP %i as transient, and the next request succeeds', async (status) => {
    subject.emulator().faults.set({ failNext: { status, count: 1 } });
    expect(await failureOf(subject.connect().fetchPage(subject.request))).toMatchObject({ kind: 'transient', details: { status } });
    await expect(subject.connect().fetchPage(subject.request)).resolves.toMatchObject({ records: expect.any(Array) });
  });

  it('classifies an unreadable body as malformed', async () => {
    subject.emulator().faults.set({ malformedNext: 1 });
    expect(await failureOf(subject.connect().fetchPage(subject.request))).toMatchObject({ kind: 'malformed' });
  });

  it('classifies a timeout and a refused connection as transient', async () => {
    subject.emulator().faults.set({ latencyMs: 300 });
    expect(await failureOf(subject.connect({ timeoutMs: 50 }).fetchPage(subject.request))).toMatchObject({ kind: 'transient' });
    const closed = await startEmulator(subject.platform);
    await closed.close();
    expect(await failureOf(subject.connect({ baseUrl: closed.url }).fetchPage(subject.request))).toMatchObject({ kind: 'transient' });
  });
}

/**
 * The emulator's `unstorableText` fault puts a NUL and an unpaired UTF-16 surrogate into generated
 * names: the connector passes them through as the platform sent them, and every record of every
 * stream is written to Postgres with its text cleaned, none refused, the page never failing.
 */
export function itStoresRecordsWithUnstorableText(subject: {
  platform: EmulatedPlatform;
  emulator: () => RunningEmulator;
  connect: (overrides?: Partial<ConnectorConfig>) => Connector;
  request: FetchPageRequest;
  database: () => DatabaseHandle;
  /** The platform's records carry no text but ids and metrics (LinkedIn's and X's analytics): nothing for the fault to reach. */
  textless?: boolean;
}): void {
  it('stores every record of every stream when names carry a NUL and an unpaired surrogate, cleaned and counted', async () => {
    const { db, pool } = subject.database();
    const connectionId = randomUUID();
    const orgId = `org-${connectionId}`;
    await insertConnection(
      db,
      connectionRow(orgId, {
        id: connectionId,
        platform: subject.platform,
        account_id: `acct-${connectionId}`,
        display_name: subject.platform,
        user_id: 'conformance',
        data_mode: 'live',
      }),
    );
    subject.emulator().faults.set({ unstorableText: true });
    let total = 0;
    let carrying = 0;
    for (const stream of PLATFORMS[subject.platform].streams) {
      const { records } = await readAllPages(subject.connect(), { ...subject.request, stream });
      const dirty = records.filter((r) => /\\u0000/.test(JSON.stringify(r)));
      const batch = toMetricsBatch({ connectionId, orgId, platform: subject.platform, stream, source: 'live' }, records);
      expect({ stream, quarantined: batch.quarantined.count, cleaned: batch.cleaned.count }).toEqual({ stream, quarantined: 0, cleaned: dirty.length });
      const result = await withPgTransaction(pool, (trx) => upsertMetrics(trx.client, batch));
      expect({ stream, ...result }).toEqual({ stream, written: records.length, rejected: { count: 0, samples: [] } });
      total += records.length;
      carrying += dirty.length;
    }
    // The fault reaches at least one text field of this platform's records, where they have any.
    if (subject.textless) expect(carrying).toBe(0);
    else expect(carrying).toBeGreaterThan(0);
    expect(await countMetrics(db, connectionId)).toBe(total);
    const stored = await db
      .selectFrom('marketing_metrics')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('connection_id', '=', connectionId)
      .where((eb) => eb.or([eb('entity_name', 'like', '%\ufffd%'), eb(eb.cast('raw', 'text'), 'like', '%\ufffd%')]))
      .executeTakeFirstOrThrow();
    // The surrogate is stored as U+FFFD wherever the NUL was (the NUL itself cannot be stored, so is gone).
    expect(Number(stored.n)).toBe(carrying);
  });
}
