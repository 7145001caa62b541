import { classifyConnectionHealth, type HealthInput, type HealthSync } from '../../domain/connection-health';
import { type HybridObservations, hybridCheckVerdicts, type ModeReadObservation } from '../../domain/hybrid-check-verdicts';
import {
  connectionCheckVerdicts,
  healthCheckVerdicts,
  percentile,
  qualityCheckVerdict,
  qualityScore,
  type TimedCall,
} from '../../domain/integration-check-verdicts';
import { DEFAULT_INTEGRATION_THRESHOLDS, type IntegrationCheck, summariseIntegrationTest } from '../../domain/integration-test-report';

const thresholds = DEFAULT_INTEGRATION_THRESHOLDS;
const call = (over: Partial<TimedCall> = {}): TimedCall => ({
  operation: 'fetch_page',
  stream: 'ad_performance',
  durationMs: 50,
  outcome: 'ok',
  status: null,
  records: 50,
  bytes: 5_000,
  message: null,
  ...over,
});
const test = (over: Partial<TimedCall> = {}) => call({ operation: 'test_connection', stream: null, records: 0, bytes: 0, ...over });
const statuses = (checks: IntegrationCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c.failureKind ? `${c.status}:${c.failureKind}` : c.status]));

describe('connectionCheckVerdicts', () => {
  const verdicts = (t: TimedCall, pages: TimedCall[]) => statuses(connectionCheckVerdicts({ platform: 'google_ads', test: t, pages, thresholds }));

  it('passes a platform that answers quickly with records', () => {
    expect(verdicts(test(), [call(), call()])).toEqual({
      api_connectivity: 'passed',
      authentication: 'passed',
      data_retrieval: 'passed',
      response_time: 'passed',
      throughput: 'passed',
      rate_limits: 'passed',
    });
  });

  it('fails exactly the check of each fault and skips what it prevents judging', () => {
    expect(verdicts(test({ outcome: 'auth', status: 401 }), [])).toEqual({
      api_connectivity: 'passed',
      authentication: 'failed:auth',
      data_retrieval: 'skipped',
      response_time: 'passed',
      throughput: 'skipped',
      rate_limits: 'passed',
    });
    const limited = call({ outcome: 'rate_limited', status: 429, records: 0, bytes: 0 });
    expect(verdicts(test({ outcome: 'rate_limited', status: 429 }), [limited])).toEqual({
      api_connectivity: 'passed',
      authentication: 'skipped',
      data_retrieval: 'skipped',
      response_time: 'passed',
      throughput: 'failed:rate_limited',
      rate_limits: 'failed:rate_limited',
    });
    const down = call({ outcome: 'transient', status: 503, records: 0, bytes: 0 });
    expect(verdicts(test({ outcome: 'transient', status: 503 }), [down])).toEqual({
      api_connectivity: 'passed',
      authentication: 'skipped',
      data_retrieval: 'skipped',
      response_time: 'passed',
      throughput: 'skipped',
      rate_limits: 'passed',
    });
    expect(verdicts(test({ durationMs: 3_000 }), [call({ durationMs: 3_000 })])).toMatchObject({ response_time: 'failed:slow', throughput: 'passed' });
    expect(verdicts(test(), [call({ records: 0 })])).toEqual({
      api_connectivity: 'passed',
      authentication: 'passed',
      data_retrieval: 'failed:empty',
      response_time: 'passed',
      throughput: 'skipped',
      rate_limits: 'passed',
    });
    expect(verdicts(test(), [call({ outcome: 'malformed', status: 200, records: 0 })])).toMatchObject({ data_retrieval: 'failed:malformed' });
  });

  it('fails connectivity only when no answer came back at all', () => {
    expect(
      verdicts(test({ outcome: 'transient', status: null, message: 'timed out' }), [call({ outcome: 'transient', status: null, records: 0 })]),
    ).toMatchObject({ api_connectivity: 'failed:network', response_time: 'skipped' });
  });

  it('measures throughput in records and bytes a second, against the minimum', () => {
    const [, , , , throughput] = connectionCheckVerdicts({
      platform: 'google_ads',
      test: test(),
      pages: [call({ durationMs: 500, records: 100, bytes: 10_000 }), call({ durationMs: 500, records: 100, bytes: 10_000 })],
      thresholds,
    });
    expect(throughput!.measurements).toMatchObject({ records_per_second: 200, bytes_per_second: 20_000 });
    const slow = connectionCheckVerdicts({ platform: 'google_ads', test: test(), pages: [call({ durationMs: 10_000, records: 10 })], thresholds });
    expect(slow.find((c) => c.id === 'throughput')).toMatchObject({ status: 'failed', failureKind: 'low_throughput', recommendation: expect.any(String) });
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([10, 20, 30, 40], 95)).toBe(40);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('quality and health verdicts', () => {
  it('scores the share of clean records and fails under the threshold', () => {
    expect(qualityScore({ records: 200, violatingRecords: 10, duplicates: 0, outOfWindow: 0 })).toBe(95);
    expect(qualityScore({ records: 0, violatingRecords: 0, duplicates: 0, outOfWindow: 0 })).toBeNull();
    const base = {
      platform: 'google_ads' as const,
      duplicates: 0,
      outOfWindow: 0,
      samples: ['x 2026-02-01: clicks (10) exceed impressions (1)'],
      unavailableReason: null,
      minQualityScore: 95,
    };
    expect(qualityCheckVerdict({ ...base, records: 100, violatingRecords: 100 })).toMatchObject({
      status: 'failed',
      failureKind: 'quality',
      message: expect.stringContaining('exceed impressions'),
    });
    expect(qualityCheckVerdict({ ...base, records: 100, violatingRecords: 0 }).status).toBe('passed');
    expect(qualityCheckVerdict({ ...base, records: 0, violatingRecords: 0, unavailableReason: 'no records' })).toMatchObject({
      status: 'skipped',
      message: 'no records',
    });
  });

  it('availability and error rate fail on server failures, not on 401 or 429', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const probe = (outcome: TimedCall['outcome'], status: number | null) => test({ operation: 'probe', outcome, status });
    const judge = (probes: TimedCall[]) =>
      statuses(healthCheckVerdicts({ platform: 'google_ads', probes, syncs: 0, failedSyncs: 0, lastSuccessfulSyncAt: null, now, thresholds }));
    expect(judge([probe('ok', null), probe('ok', null), probe('ok', null)])).toEqual({
      availability: 'passed',
      error_rate: 'passed',
      last_successful_sync: 'skipped',
    });
    expect(judge([probe('transient', 503), probe('transient', 503), probe('ok', null)])).toEqual({
      availability: 'failed:transient',
      error_rate: 'failed:transient',
      last_successful_sync: 'skipped',
    });
    expect(judge([probe('auth', 401), probe('rate_limited', 429), probe('auth', 401)])).toEqual({
      availability: 'passed',
      error_rate: 'passed',
      last_successful_sync: 'skipped',
    });
    const stale = healthCheckVerdicts({
      platform: 'google_ads',
      probes: [],
      syncs: 2,
      failedSyncs: 0,
      lastSuccessfulSyncAt: new Date(now.getTime() - 72 * 3_600_000),
      now,
      thresholds,
    });
    expect(statuses(stale)).toEqual({ availability: 'passed', error_rate: 'passed', last_successful_sync: 'failed:stale' });
  });
});

describe('classifyConnectionHealth', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const sync = (hours: number, status: HealthSync['status'], over: Partial<HealthSync> = {}): HealthSync => ({
    status,
    source: 'live',
    fellBack: false,
    startedAt: ago(hours),
    error: status === 'failed' ? 'HTTP 500' : null,
    ...over,
  });
  const base: HealthInput = { connectionStatus: 'active', syncs: [], lastSuccessfulSyncAt: null, qualityScore: null, probe: null, now, staleSyncHours: 48 };

  it('is healthy with recent successes and good data, or with no evidence against it', () => {
    expect(classifyConnectionHealth(base)).toMatchObject({ status: 'healthy', reasons: [] });
    expect(
      classifyConnectionHealth({ ...base, syncs: [sync(1, 'completed'), sync(7, 'completed')], lastSuccessfulSyncAt: ago(1), qualityScore: 98 }),
    ).toMatchObject({ status: 'healthy', errorRate: 0, errorCount: 0 });
  });

  it('is degraded by a failure, a fallback, staleness, rate limits or middling quality', () => {
    expect(
      classifyConnectionHealth({
        ...base,
        syncs: [sync(1, 'failed'), sync(2, 'completed'), sync(3, 'completed'), sync(4, 'completed'), sync(5, 'completed')],
        lastSuccessfulSyncAt: ago(2),
      }),
    ).toMatchObject({
      status: 'degraded',
      reasons: ['the latest sync failed or fell back to mock'],
      lastError: 'HTTP 500',
    });
    expect(
      classifyConnectionHealth({
        ...base,
        syncs: [sync(1, 'completed', { fellBack: true, source: 'mock', error: 'ad_performance: PlatformTransientError' })],
        lastSuccessfulSyncAt: ago(1),
      }),
    ).toMatchObject({ status: 'degraded', errorCount: 1, lastError: 'ad_performance: PlatformTransientError' });
    expect(classifyConnectionHealth({ ...base, syncs: [sync(60, 'completed')], lastSuccessfulSyncAt: ago(60) })).toMatchObject({
      status: 'degraded',
      reasons: ['no successful sync in the last 48 h'],
    });
    expect(classifyConnectionHealth({ ...base, probe: { requests: 3, availability: 1, authFailed: false, rateLimited: true } }).status).toBe('degraded');
    expect(classifyConnectionHealth({ ...base, qualityScore: 70 }).status).toBe('degraded');
  });

  it('is unhealthy on rejected credentials, an outage, a run of failures or bad data', () => {
    expect(classifyConnectionHealth({ ...base, connectionStatus: 'reauth_required' })).toMatchObject({
      status: 'unhealthy',
      reasons: ['the connection needs re-authorisation'],
    });
    expect(classifyConnectionHealth({ ...base, probe: { requests: 3, availability: 1, authFailed: true, rateLimited: false } }).status).toBe('unhealthy');
    expect(classifyConnectionHealth({ ...base, probe: { requests: 3, availability: 0, authFailed: false, rateLimited: false } }).status).toBe('unhealthy');
    expect(
      classifyConnectionHealth({
        ...base,
        syncs: [sync(1, 'failed'), sync(2, 'failed'), sync(3, 'failed'), sync(4, 'completed')],
        lastSuccessfulSyncAt: ago(4),
      }),
    ).toMatchObject({ status: 'unhealthy', reasons: ['the last 3 syncs failed'], failedSyncs: 3 });
    expect(classifyConnectionHealth({ ...base, syncs: [sync(1, 'failed')], lastSuccessfulSyncAt: null }).reasons).toContain('no sync has ever succeeded');
    expect(classifyConnectionHealth({ ...base, qualityScore: 20 }).status).toBe('unhealthy');
  });

  it('ignores syncs older than a week and running ones', () => {
    expect(
      classifyConnectionHealth({
        ...base,
        syncs: [sync(0.1, 'running'), sync(200, 'failed'), sync(201, 'failed'), sync(202, 'failed')],
        lastSuccessfulSyncAt: ago(20),
      }),
    ).toMatchObject({ status: 'healthy', syncsConsidered: 0 });
  });
});

describe('hybridCheckVerdicts', () => {
  const read = (
    mode: ModeReadObservation['mode'],
    source: ModeReadObservation['source'],
    fallbackReason: string | null = null,
    error: string | null = null,
  ): ModeReadObservation => ({ mode, source, fallbackReason, records: source ? 20 : 0, error, durationMs: 5 });
  const shape = { stream: 'ad_performance', records: 20, fields: ['clicks', 'impressions', 'spend'], outOfWindow: 0 };
  const healthy: HybridObservations = {
    platform: 'google_ads',
    liveTested: true,
    modes: [read('mock', 'mock'), read('live', 'live'), read('auto', 'live'), read('hybrid', 'live')],
    expectedAutoSource: 'live',
    outage: read('hybrid', 'mock', 'live transient failure: simulated live outage'),
    qualityRejection: read('hybrid', 'mock', 'quality gate: quality gate rejected live data'),
    live: shape,
    liveError: null,
    mock: shape,
  };

  it('passes when every mode serves what it promises', () => {
    expect(statuses(hybridCheckVerdicts(healthy))).toEqual({
      mode_switching: 'passed',
      live_fallback: 'passed',
      quality_threshold_switching: 'passed',
      cross_mode_consistency: 'passed',
      hybrid_read: 'passed',
    });
  });

  it('a failing live platform skips what needs live, and fails nothing', () => {
    const failing: HybridObservations = {
      ...healthy,
      modes: [
        read('mock', 'mock'),
        read('live', null, null, 'HTTP 503'),
        read('auto', null, null, 'HTTP 503'),
        read('hybrid', 'mock', 'live transient failure: HTTP 503'),
      ],
      qualityRejection: null,
      live: null,
      liveError: 'HTTP 503',
    };
    expect(statuses(hybridCheckVerdicts(failing))).toEqual({
      mode_switching: 'passed',
      live_fallback: 'passed',
      quality_threshold_switching: 'skipped',
      cross_mode_consistency: 'skipped',
      hybrid_read: 'passed',
    });
  });

  it('fails a silent switch to mock, a missing fallback, a kept implausible page and differing shapes', () => {
    const broken: HybridObservations = {
      ...healthy,
      modes: [read('mock', 'mock'), read('live', 'mock'), read('auto', 'live'), read('hybrid', 'mock')],
      outage: read('hybrid', null, null, 'HTTP 503'),
      qualityRejection: read('hybrid', 'live'),
      mock: { ...shape, fields: ['clicks', 'impressions', 'revenue', 'spend'] },
    };
    const checks = hybridCheckVerdicts(broken);
    expect(statuses(checks)).toEqual({
      mode_switching: 'failed:switching',
      live_fallback: 'failed:switching',
      quality_threshold_switching: 'failed:switching',
      cross_mode_consistency: 'failed:inconsistent',
      hybrid_read: 'passed',
    });
    expect(checks[0]!.message).toContain('live mode served mock data');
    expect(checks[3]!.message).toBe('only mock has revenue');
  });
});

describe('summariseIntegrationTest', () => {
  it('orders checks by the catalogue, counts them and keeps one recommendation per failure', () => {
    const connection = connectionCheckVerdicts({
      platform: 'google_ads',
      test: test({ outcome: 'auth', status: 401, message: 'HTTP 401' }),
      pages: [],
      thresholds,
    });
    const report = summariseIntegrationTest({
      connectionId: 'c',
      orgId: 'o',
      platform: 'google_ads',
      workflowId: 'w',
      target: { source: 'live', reason: null, streams: ['ad_performance'], window: { startDate: '2026-02-01', endDate: '2026-02-07' } },
      results: [
        {
          component: 'health',
          checks: healthCheckVerdicts({
            platform: 'google_ads',
            probes: [],
            syncs: 0,
            failedSyncs: 0,
            lastSuccessfulSyncAt: null,
            now: new Date(),
            thresholds,
          }),
          durationMs: 3,
        },
        { component: 'connection', checks: connection, durationMs: 10 },
      ],
      health: null,
    });
    expect(report.checks.map((c) => c.id)).toEqual([
      'api_connectivity',
      'authentication',
      'data_retrieval',
      'response_time',
      'throughput',
      'rate_limits',
      'availability',
      'error_rate',
      'last_successful_sync',
    ]);
    expect(report).toMatchObject({ status: 'failed', failedChecks: ['authentication'], checksFailed: 1, durationMs: 13, components: ['health', 'connection'] });
    expect(report.recommendations).toHaveLength(1);
  });
});
