import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { googleAdsEmulator } from '../connectors/google-ads/emulator';
import { LIVE_CONNECTORS } from '../connectors/live-connectors';
import { createPlatformNetwork } from '../connectors/platform-network';
import { copyRows, emptyMetricsTable } from '../db/benchmark-queries';
import { toMetricsBatch } from '../db/metrics-copy-format';
import { credentialColumns, insertConnection } from '../db/repositories/connections';
import type { Connection } from '../db/schema';
import { connectionSearchAttributes } from '../domain/search-attributes';
import { addDays, type DateWindow, type MetricRecord } from '../domain/sync';
import { connectionSyncWorkflowId } from '../domain/workflow-ids';
import { createCredentialVault } from '../security/credential-vault';
import { parseKeyring } from '../security/keyring';
import { freePort, startServiceProcess, waitFor } from '../scripts/service-process';
import { connectionSyncWorkflow } from '../workflows/connection-sync';
import { type BenchInfrastructure, benchServiceEnv } from './bench-infrastructure';

/** 10 campaigns × 4 ad sets × 5 ads: 200 rows a day. */
const SHAPE = { campaigns: 10, adSetsPerCampaign: 4, adsPerAdSet: 5 };
const ROWS_PER_DAY = 200;
const ACCOUNT_ID = '1234567890';
const COPY_PART_ROWS = 100_000;

export interface IngestBenchmarkResult {
  rows: number;
  copyRowsPerSecond: number;
  syncRowsPerSecond: number;
  ratio: number;
  /** Peak resident set size of the worker process during the syncs, in MiB. */
  peakRssMiB: number;
  /** The worker's RSS after each of the repeated syncs: flat means nothing accumulates. */
  rssAfterSyncMiB: number[];
}

/**
 * N rows of Google Ads daily ad performance, served by the Google Ads emulator in its own process,
 * synced through connectionSyncWorkflow by the worker process (workers/main.ts, as deployed: live
 * connector, real HTTP) into marketing_metrics; against a raw COPY of the same rows, already
 * serialised, into the same table. Rounds alternate and each starts from an empty table. The
 * worker's memory is read from /proc, from outside it.
 */
export async function runIngestBenchmark(infra: BenchInfrastructure, options: { rows: number; rounds: number }): Promise<IngestBenchmarkResult> {
  const days = Math.ceil(options.rows / ROWS_PER_DAY);
  const window: DateWindow = { startDate: '2020-01-01', endDate: addDays('2020-01-01', days - 1) };
  const rows = days * ROWS_PER_DAY;

  const emulator = startServiceProcess('scripts/emulator.ts', {
    capture: true,
    env: process.env,
    args: [
      '--platform',
      'google_ads',
      '--account-id',
      ACCOUNT_ID,
      '--campaigns',
      String(SHAPE.campaigns),
      '--ad-sets-per-campaign',
      String(SHAPE.adSetsPerCampaign),
      '--ads-per-ad-set',
      String(SHAPE.adsPerAdSet),
    ],
  });
  const credentialsKey = randomBytes(32).toString('base64');
  const vault = await createCredentialVault(parseKeyring(`v1:${credentialsKey}`));
  const taskQueue = `bench-ingest-${randomBytes(4).toString('hex')}`;
  let worker: ReturnType<typeof startServiceProcess> | undefined;
  try {
    const { url } = JSON.parse(
      await waitFor(
        async () =>
          emulator
            .output()
            .split('\n')
            .find((line) => line.startsWith('{')) ?? '',
        (line) => line !== '',
        { timeoutMs: 60_000, what: 'emulator listening' },
      ),
    ) as { url: string };
    const credentials = { ...googleAdsEmulator.defaultCredentials };

    // The baseline's rows: every page, fetched once up front and serialised outside the timing.
    const connector = LIVE_CONNECTORS.google_ads!.create({
      baseUrl: url,
      credentials,
      accountId: ACCOUNT_ID,
      network: createPlatformNetwork({ allowLoopback: true }),
    });
    const records: MetricRecord[] = [];
    for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
      const page = await connector.fetchPage({ stream: 'ad_performance', cursor, window });
      for (const r of page.records) records.push(r);
      cursor = page.nextCursor;
    }
    if (records.length !== rows) throw new Error(`the emulator served ${records.length} rows, expected ${rows}`);

    const metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
    worker = startServiceProcess('workers/main.ts', {
      capture: true,
      env: benchServiceEnv(infra, {
        TEMPORAL_TASK_QUEUE: taskQueue,
        WORKER_METRICS_PORT: new URL(metricsUrl).port,
        TEMPORAL_SDK_METRICS_PORT: String(await freePort()),
        CREDENTIALS_KEY: credentialsKey,
        JWT_SECRET: randomBytes(32).toString('hex'),
        GOOGLE_ADS_BASE_URL: url,
      }),
    });
    await waitFor(
      () =>
        fetch(metricsUrl).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200,
      { timeoutMs: 60_000, what: 'worker metrics' },
    );
    // Read from outside (Linux /proc), ten times a second: scraping its /metrics that often would spend the worker's CPU.
    const workerPid = worker.pid;
    const workerRss = async () => {
      const status = await readFile(`/proc/${workerPid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024;
    };

    let peakRss = 0;
    const sampler = setInterval(
      () =>
        void workerRss().then(
          (rss) => (peakRss = Math.max(peakRss, rss)),
          () => {},
        ),
      100,
    );
    const rssAfterSync: number[] = [];
    let copyMs = 0;
    let syncMs = 0;
    try {
      for (let round = 0; round < options.rounds; round++) {
        const baseline = await benchConnection(infra, vault, `copy-${rows}-${round}`, credentials);
        // In parts: one COPY text of a million rows would pass V8's longest string.
        const copyTexts: string[] = [];
        for (let at = 0; at < records.length; at += COPY_PART_ROWS) {
          copyTexts.push(
            toMetricsBatch(
              { connectionId: baseline.id, orgId: baseline.org_id, platform: 'google_ads', stream: 'ad_performance', source: 'live' },
              records.slice(at, at + COPY_PART_ROWS),
            ).copyText,
          );
        }
        await emptyMetricsTable(infra.database.db);
        copyMs += await timed(async () => {
          for (const copyText of copyTexts) await copyRows(infra.database.pool, 'marketing_metrics', copyText);
        });

        await emptyMetricsTable(infra.database.db);
        const synced = await benchConnection(infra, vault, `sync-${rows}-${round}`, credentials);
        syncMs += await timed(async () => {
          const result = await infra.temporal.client.workflow.execute(connectionSyncWorkflow, {
            taskQueue,
            workflowId: connectionSyncWorkflowId(synced.id),
            args: [{ connectionId: synced.id, orgId: synced.org_id, platform: 'google_ads', window }],
            typedSearchAttributes: connectionSearchAttributes({ orgId: synced.org_id, platform: 'google_ads', connectionId: synced.id }),
          });
          if (result.recordsWritten !== rows) throw new Error(`the sync wrote ${result.recordsWritten} rows, expected ${rows}`);
        });
        rssAfterSync.push(await workerRss());
      }
    } finally {
      clearInterval(sampler);
    }
    const copyRowsPerSecond = (rows * options.rounds) / (copyMs / 1000);
    const syncRowsPerSecond = (rows * options.rounds) / (syncMs / 1000);
    return {
      rows,
      copyRowsPerSecond,
      syncRowsPerSecond,
      ratio: syncRowsPerSecond / copyRowsPerSecond,
      peakRssMiB: mib(peakRss),
      rssAfterSyncMiB: rssAfterSync.map(mib),
    };
  } finally {
    await worker?.stop();
    await emulator.stop();
  }
}

async function benchConnection(
  infra: BenchInfrastructure,
  vault: Awaited<ReturnType<typeof createCredentialVault>>,
  name: string,
  credentials: Record<string, string>,
): Promise<Connection> {
  const id = crypto.randomUUID();
  return insertConnection(infra.database.db, {
    id,
    org_id: `bench-${name}`,
    user_id: 'bench',
    platform: 'google_ads',
    account_id: ACCOUNT_ID,
    display_name: `Bench ${name}`,
    status: 'active',
    data_mode: 'live',
    sync_frequency: 'manual',
    ...credentialColumns(vault.seal(id, credentials)),
    last_sync_at: null,
    last_sync_status: null,
  });
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
