import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Connector } from '../connectors/connector';
import { ConnectorError } from '../connectors/connector-error';
import { resolveConnectionSource } from '../services/connection-source-selection';
import { type ModeRead, readInMode } from '../services/connection-mode-read';
import type { ConnectorRegistry } from '../connectors/registry';
import { connectionSyncHealth } from '../db/repositories/connection-sync-health';
import { connectionCredentials, findConnectionById, listOrgConnections } from '../db/repositories/connections';
import { storeIntegrationTestReport } from '../db/repositories/integration-test-reports';
import type { Connection, Database } from '../db/schema';
import type { DataMode } from '../domain/connection';
import { classifyConnectionHealth, type ConnectionHealth, type HealthProbe } from '../domain/connection-health';
import { FailureType } from '../domain/errors';
import { type HybridObservations, hybridCheckVerdicts, type ModeReadObservation, type RecordShape } from '../domain/hybrid-check-verdicts';
import {
  type CallOutcome,
  connectionCheckVerdicts,
  healthCheckVerdicts,
  qualityCheckVerdict,
  qualityScore,
  type TimedCall,
} from '../domain/integration-check-verdicts';
import type { ComponentResult, IntegrationTarget, IntegrationTestReport, IntegrationThresholds } from '../domain/integration-test-report';
import type { PlatformId, StreamKind } from '../domain/platforms';
import { checkPageQuality } from '../domain/page-quality-check';
import type { DateWindow, MetricRecord } from '../domain/sync';
import type { CredentialVault } from '../security/credential-vault';

/**
 * The data quality score of a connection's synced data, when data validation has one (0-100), else
 * null. This is where data validation plugs into health: give `createIntegrationTestActivities` a
 * `validationScore` and health judges the validation score instead of the suite's own sample.
 */
export type ValidationScoreSource = (connectionId: string) => Promise<number | null>;

export interface IntegrationTestActivityDeps {
  db: Kysely<Database>;
  vault: CredentialVault;
  connectors: ConnectorRegistry;
  validationScore?: ValidationScoreSource;
  settings?: Partial<IntegrationTestSettings>;
  now?: () => Date;
}

export interface IntegrationTestSettings {
  /** testConnection requests of the availability probe. */
  probeRequests: number;
  /** Pages read per stream by data retrieval. */
  pagesPerStream: number;
  pageSize: number;
  /** Days of data read when the request names no window (ending yesterday). */
  windowDays: number;
}

const DEFAULT_SETTINGS: IntegrationTestSettings = { probeRequests: 3, pagesPerStream: 2, pageSize: 100, windowDays: 7 };
const METRIC_FIELDS = ['impressions', 'clicks', 'spend', 'conversions', 'revenue', 'currency', 'entityName', 'parentId'] as const;

export interface IntegrationTestInput {
  connectionId: string;
  target: IntegrationTarget;
  thresholds: IntegrationThresholds;
}

/** An implausible record the quality switching check adds to live's first page: clicks above impressions. */
const IMPLAUSIBLE_PROBE_ENTITY = 'liftos-integration-test-implausible';

export function createIntegrationTestActivities(deps: IntegrationTestActivityDeps) {
  const settings = { ...DEFAULT_SETTINGS, ...deps.settings };
  const now = deps.now ?? (() => new Date());

  async function load(connectionId: string): Promise<Connection> {
    const connection = await findConnectionById(deps.db, connectionId);
    if (!connection)
      throw ApplicationFailure.create({ type: FailureType.ConnectionNotFound, message: `Connection ${connectionId} not found`, nonRetryable: true });
    return connection;
  }

  function connectorOf(connection: Connection, target: IntegrationTarget): Connector {
    const credentials = target.source === 'live' ? deps.vault.open(connection.id, connectionCredentials(connection)) : {};
    return deps.connectors.create({ platform: connection.platform, source: target.source, accountId: connection.account_id, credentials });
  }

  return {
    /** What the suite tests: live when the connection can reach its platform (as hybrid would), else its mock source; and the window. */
    async prepareIntegrationTest(input: { connectionId: string; window?: DateWindow }): Promise<IntegrationTarget> {
      const connection = await load(input.connectionId);
      const selection = await resolveConnectionSource(deps, connection, 'hybrid');
      const target: IntegrationTarget = {
        source: selection.source,
        reason: selection.reason,
        streams: [],
        window: input.window ?? defaultWindow(now(), settings.windowDays),
      };
      return { ...target, streams: [...connectorOf(connection, target).listStreams()] };
    },

    /** Connection tests (connectivity, authentication, retrieval, response time, throughput, rate limits) and, on the same records, quality validation. */
    async runConnectionChecks(
      input: IntegrationTestInput & { withQuality: boolean },
    ): Promise<{ connection: ComponentResult; quality: ComponentResult | null; qualityScore: number | null }> {
      const connection = await load(input.connectionId);
      const connector = connectorOf(connection, input.target);
      const started = performance.now();
      const test = await timed('test_connection', null, async () => {
        await connector.testConnection();
        return { records: 0, bytes: 0 };
      });
      const records: MetricRecord[] = [];
      const pages: TimedCall[] = [];
      if (test.outcome !== 'auth') {
        streams: for (const stream of input.target.streams) {
          let cursor: string | null = null;
          for (let n = 0; n < settings.pagesPerStream; n++) {
            const call = await timed('fetch_page', stream, async () => {
              const page = await connector.fetchPage({ stream, cursor, window: input.target.window, pageSize: settings.pageSize });
              records.push(...page.records);
              cursor = page.nextCursor;
              return { records: page.records.length, bytes: page.bytesRead };
            });
            pages.push(call);
            if (call.outcome === 'auth') break streams;
            if (call.outcome !== 'ok' || cursor === null) break;
          }
        }
      }
      const connectionChecks = connectionCheckVerdicts({ platform: connection.platform, test, pages, thresholds: input.thresholds });
      const connectionResult: ComponentResult = { component: 'connection', checks: connectionChecks, durationMs: Math.round(performance.now() - started) };
      if (!input.withQuality) return { connection: connectionResult, quality: null, qualityScore: null };

      const measured = measureQuality(records, input.target.window);
      const retrieval = connectionChecks.find((c) => c.id === 'data_retrieval');
      const check = qualityCheckVerdict({
        platform: connection.platform,
        ...measured,
        unavailableReason: records.length === 0 ? `No records retrieved (data_retrieval ${retrieval?.status ?? 'not run'})` : null,
        minQualityScore: input.thresholds.minQualityScore,
      });
      return { connection: connectionResult, quality: { component: 'quality', checks: [check], durationMs: 0 }, qualityScore: qualityScore(measured) };
    },

    /** Availability (a probe of the platform), error rate, last successful sync, and the health classification. */
    async runHealthAssessment(input: IntegrationTestInput & { qualityScore: number | null }): Promise<{ result: ComponentResult; health: ConnectionHealth }> {
      const connection = await load(input.connectionId);
      const started = performance.now();
      const probes: TimedCall[] = [];
      if (input.target.source === 'live') {
        const connector = connectorOf(connection, input.target);
        for (let i = 0; i < settings.probeRequests; i++) {
          probes.push(
            await timed('probe', null, async () => {
              await connector.testConnection();
              return { records: 0, bytes: 0 };
            }),
          );
        }
      }
      const at = now();
      const history = await connectionSyncHealth(deps.db, connection.id);
      const probe: HealthProbe | null =
        probes.length === 0
          ? null
          : {
              requests: probes.length,
              availability: probes.filter((p) => p.outcome !== 'transient' && p.outcome !== 'error').length / probes.length,
              authFailed: probes.some((p) => p.outcome === 'auth'),
              rateLimited: probes.some((p) => p.outcome === 'rate_limited'),
            };
      const validation = deps.validationScore ? await deps.validationScore(connection.id) : null;
      const health = classifyConnectionHealth({
        connectionStatus: connection.status,
        syncs: history.syncs,
        lastSuccessfulSyncAt: history.lastSuccessfulSyncAt,
        qualityScore: validation ?? input.qualityScore,
        probe,
        now: at,
        staleSyncHours: input.thresholds.staleSyncHours,
      });
      const checks = healthCheckVerdicts({
        platform: connection.platform,
        probes,
        syncs: health.syncsConsidered,
        failedSyncs: health.errorCount,
        lastSuccessfulSyncAt: history.lastSuccessfulSyncAt,
        now: at,
        thresholds: input.thresholds,
      });
      return { result: { component: 'health', checks, durationMs: Math.round(performance.now() - started) }, health };
    },

    /** Hybrid data testing: mode switching, fallback when live fails, switching on the quality gate, consistency of live and mock. */
    async runHybridDataChecks(input: IntegrationTestInput): Promise<ComponentResult> {
      const connection = await load(input.connectionId);
      const started = performance.now();
      const window = input.target.window;
      const stream = input.target.streams[0];
      const liveTested = input.target.source === 'live';
      const read = (mode: DataMode, wrapLive?: (live: Connector) => Connector) =>
        observeRead(deps, connection, { mode, stream, window, limit: settings.pageSize, wrapLive });

      const modes: ModeReadObservation[] = [];
      const reads = new Map<DataMode, ModeRead | null>();
      for (const mode of ['mock', 'live', 'auto', 'hybrid'] as const) {
        const { observation, result } = await read(mode);
        modes.push(observation);
        reads.set(mode, result);
      }
      const expectedAutoSource = (await resolveConnectionSource(deps, connection, 'auto')).source;

      let outage: ModeReadObservation | null = null;
      let qualityRejection: ModeReadObservation | null = null;
      let live: RecordShape | null = null;
      let liveError: string | null = null;
      if (liveTested) {
        outage = (
          await read('hybrid', (connector) => ({
            ...connector,
            testConnection: () => Promise.reject(new ConnectorError('transient', 'simulated live outage (integration test)')),
            fetchPage: () => Promise.reject(new ConnectorError('transient', 'simulated live outage (integration test)')),
          }))
        ).observation;
        // Live read as it is (the live mode's read above), for the comparison and to know whether the gate can be exercised.
        const liveRead = reads.get('live');
        if (liveRead) live = shapeOf(liveRead, window);
        else liveError = modes.find((m) => m.mode === 'live')?.error ?? 'live was not read';
        if (live) {
          qualityRejection = (
            await read('hybrid', (connector) => ({
              ...connector,
              fetchPage: async (request) => {
                const page = await connector.fetchPage(request);
                return request.cursor === null ? { ...page, records: [...page.records, implausibleRecord(request.stream, window.endDate)] } : page;
              },
            }))
          ).observation;
        }
      }
      const mockRead = reads.get('mock');
      const observations: HybridObservations = {
        platform: connection.platform,
        liveTested,
        modes,
        expectedAutoSource,
        outage,
        qualityRejection,
        live,
        liveError,
        mock: mockRead ? shapeOf(mockRead, window) : { stream: stream ?? 'ad_performance', records: 0, fields: [], outOfWindow: 0 },
      };
      return { component: 'hybrid', checks: hybridCheckVerdicts(observations), durationMs: Math.round(performance.now() - started) };
    },

    /** Stores the report (idempotent per run) and returns it with its id and time. */
    async storeIntegrationTestReport(input: { report: IntegrationTestReport; runId: string }): Promise<IntegrationTestReport> {
      return storeIntegrationTestReport(deps.db, input.report, input.runId, now());
    },

    /** The connections test-all covers: the org's connections that are not disabled (or only those listed). */
    async listIntegrationTestTargets(input: { orgId: string; connectionIds?: string[] }): Promise<{ connectionId: string; platform: PlatformId }[]> {
      const rows = await listOrgConnections(deps.db, input.orgId, { exceptStatus: 'disabled', ids: input.connectionIds });
      return rows.map((r) => ({ connectionId: r.id, platform: r.platform }));
    },
  };
}

export type IntegrationTestActivities = ReturnType<typeof createIntegrationTestActivities>;

/** Times one platform call and classifies how it ended. */
async function timed(
  operation: TimedCall['operation'],
  stream: StreamKind | null,
  call: () => Promise<{ records: number; bytes: number }>,
): Promise<TimedCall> {
  const started = performance.now();
  try {
    const { records, bytes } = await call();
    return { operation, stream, durationMs: performance.now() - started, outcome: 'ok', status: null, records, bytes, message: null };
  } catch (err) {
    const durationMs = performance.now() - started;
    if (err instanceof ConnectorError)
      return {
        operation,
        stream,
        durationMs,
        outcome: err.kind satisfies CallOutcome,
        status: err.details.status ?? null,
        records: 0,
        bytes: 0,
        message: err.message,
      };
    return {
      operation,
      stream,
      durationMs,
      outcome: 'error',
      status: null,
      records: 0,
      bytes: 0,
      message: err instanceof Error ? `${err.name}: ${err.message}` : 'failed',
    };
  }
}

/** A read through the data modes' path, as the hybrid checks observe it; a failure is an observation too. */
async function observeRead(
  deps: IntegrationTestActivityDeps,
  connection: Connection,
  request: Parameters<typeof readInMode>[2],
): Promise<{ observation: ModeReadObservation; result: ModeRead | null }> {
  const started = performance.now();
  try {
    const result = await readInMode(deps, connection, request);
    return {
      observation: {
        mode: request.mode,
        source: result.source,
        fallbackReason: result.fallbackReason,
        records: result.records.length,
        error: null,
        durationMs: Math.round(performance.now() - started),
      },
      result,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      observation: { mode: request.mode, source: null, fallbackReason: null, records: 0, error: message, durationMs: Math.round(performance.now() - started) },
      result: null,
    };
  }
}

function measureQuality(records: readonly MetricRecord[], window: DateWindow) {
  const seen = new Set<string>();
  let violatingRecords = 0;
  let duplicates = 0;
  let outOfWindow = 0;
  const samples: string[] = [];
  for (const record of records) {
    const verdict = checkPageQuality([record]);
    if (!verdict.passed) {
      violatingRecords++;
      if (samples.length < 5) samples.push(`${record.entityId} ${record.date}: ${verdict.violations[0]!.message}`);
    }
    const key = `${record.stream}|${record.entityId}|${record.date}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
    if (record.date < window.startDate || record.date > window.endDate) outOfWindow++;
  }
  return { records: records.length, violatingRecords, duplicates, outOfWindow, samples };
}

function shapeOf(read: ModeRead, window: DateWindow): RecordShape {
  const fields = METRIC_FIELDS.filter((field) => read.records.some((r) => r[field] !== null && r[field] !== undefined));
  return {
    stream: read.stream,
    records: read.records.length,
    fields: [...fields].sort(),
    outOfWindow: read.records.filter((r) => r.date < window.startDate || r.date > window.endDate).length,
  };
}

function implausibleRecord(stream: StreamKind, date: string): MetricRecord {
  return {
    stream,
    entityId: IMPLAUSIBLE_PROBE_ENTITY,
    date,
    entityName: null,
    parentId: null,
    impressions: 1,
    clicks: 10,
    spend: 0,
    conversions: 0,
    revenue: 0,
    currency: null,
    raw: {},
  };
}

/** The last `days` days, ending yesterday (UTC): complete days the platforms have reported. */
function defaultWindow(at: Date, days: number): DateWindow {
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - 1));
  const start = new Date(end.getTime() - (days - 1) * 86_400_000);
  return { startDate: start.toISOString().slice(0, 10), endDate: end.toISOString().slice(0, 10) };
}
