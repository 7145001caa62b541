import { integrationRecommendation } from './integration-recommendations';
import {
  type CheckFailureKind,
  type CheckStatus,
  INTEGRATION_CHECKS,
  type IntegrationCheck,
  type IntegrationCheckId,
  type IntegrationThresholds,
  type Measurements,
} from './integration-test-report';
import type { PlatformId, StreamKind } from './platforms';

/**
 * The verdicts of the measured checks: from timed platform calls (and the retrieved records'
 * quality counts) to pass, fail or skip with a message. Each fault fails its own check: an
 * outage is availability's, a 429 is the rate limit's, a 401 is authentication's; checks that
 * cannot be judged because of another check's fault are skipped, not failed.
 */

/** How one platform call ended: `ok` or the connector's failure kind; `error` for anything else. */
export type CallOutcome = 'ok' | 'auth' | 'rate_limited' | 'transient' | 'malformed' | 'error';

export interface TimedCall {
  operation: 'test_connection' | 'fetch_page' | 'probe';
  stream: StreamKind | null;
  durationMs: number;
  outcome: CallOutcome;
  /** The HTTP status of a failed call's answer; null when it succeeded or no answer came back. */
  status: number | null;
  records: number;
  bytes: number;
  /** The failure's message (already scrubbed of credentials by the connector). */
  message: string | null;
}

/** A call that got no HTTP answer at all (refused, reset, timed out). */
const noAnswer = (c: TimedCall) => (c.outcome === 'transient' && c.status === null) || c.outcome === 'error';
const serverFailure = (c: TimedCall) => c.outcome === 'transient';

function verdict(
  platform: PlatformId,
  id: IntegrationCheckId,
  status: CheckStatus,
  message: string,
  options: { kind?: CheckFailureKind; durationMs?: number; measurements?: Measurements } = {},
): IntegrationCheck {
  const failureKind = status === 'failed' ? (options.kind ?? 'error') : null;
  return {
    id,
    component: INTEGRATION_CHECKS[id],
    status,
    message,
    failureKind,
    durationMs: Math.round(options.durationMs ?? 0),
    measurements: options.measurements ?? {},
    recommendation: status === 'failed' ? integrationRecommendation(id, failureKind, platform) : null,
  };
}

/** The nearest-rank percentile of the durations. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Which check a failed call's kind belongs to, so the others skip instead of failing twice. */
function attributedTo(outcome: CallOutcome): IntegrationCheckId {
  switch (outcome) {
    case 'auth':
      return 'authentication';
    case 'rate_limited':
      return 'rate_limits';
    case 'malformed':
      return 'data_retrieval';
    default:
      return 'availability';
  }
}

export interface ConnectionMeasurements {
  platform: PlatformId;
  /** The connector's testConnection. */
  test: TimedCall;
  /** The first pages of each stream (none when the test call was refused for authentication). */
  pages: readonly TimedCall[];
  thresholds: IntegrationThresholds;
}

/** Connectivity, authentication, data retrieval, response time, throughput and rate limits. */
export function connectionCheckVerdicts(m: ConnectionMeasurements): IntegrationCheck[] {
  const { platform, test, pages, thresholds } = m;
  const calls = [test, ...pages];
  const okPages = pages.filter((p) => p.outcome === 'ok');
  const checks: IntegrationCheck[] = [];

  // Connectivity: did the platform answer at all? An error answer (401, 429, 503) is an answer.
  checks.push(
    noAnswer(test)
      ? verdict(platform, 'api_connectivity', 'failed', `No answer: ${test.message ?? 'request failed'}`, {
          kind: test.outcome === 'error' ? 'error' : 'network',
          durationMs: test.durationMs,
        })
      : verdict(
          platform,
          'api_connectivity',
          'passed',
          test.outcome === 'ok' ? `Answered in ${Math.round(test.durationMs)} ms` : `Reachable (answered HTTP ${test.status ?? '?'})`,
          {
            durationMs: test.durationMs,
            measurements: { status: test.status },
          },
        ),
  );

  // Authentication: judged by any call's answer; a call refused for another reason says nothing about the credentials.
  const authFailure = calls.find((c) => c.outcome === 'auth');
  if (authFailure)
    checks.push(
      verdict(platform, 'authentication', 'failed', `Credentials rejected: ${authFailure.message ?? 'HTTP 401'}`, {
        kind: 'auth',
        durationMs: authFailure.durationMs,
        measurements: { status: authFailure.status },
      }),
    );
  else if (calls.some((c) => c.outcome === 'ok'))
    checks.push(verdict(platform, 'authentication', 'passed', 'Credentials accepted', { durationMs: test.durationMs }));
  else checks.push(verdict(platform, 'authentication', 'skipped', `Credentials not verified: every request failed (see ${attributedTo(test.outcome)})`));

  // Data retrieval: records came back, and readable ones.
  const records = okPages.reduce((sum, p) => sum + p.records, 0);
  const retrievalMs = pages.reduce((sum, p) => sum + p.durationMs, 0);
  const malformed = pages.find((p) => p.outcome === 'malformed');
  const streams = [...new Set(pages.map((p) => p.stream))].length;
  if (malformed)
    checks.push(
      verdict(platform, 'data_retrieval', 'failed', `Unreadable answer: ${malformed.message ?? 'malformed'}`, { kind: 'malformed', durationMs: retrievalMs }),
    );
  else if (okPages.length > 0 && records > 0)
    checks.push(
      verdict(platform, 'data_retrieval', 'passed', `${records} records from ${okPages.length} pages of ${streams} streams`, {
        durationMs: retrievalMs,
        measurements: { records, pages: okPages.length },
      }),
    );
  else if (okPages.length > 0)
    checks.push(
      verdict(platform, 'data_retrieval', 'failed', `No records in the window (${okPages.length} pages answered empty)`, {
        kind: 'empty',
        durationMs: retrievalMs,
        measurements: { records: 0, pages: okPages.length },
      }),
    );
  else {
    const cause = pages.find((p) => p.outcome !== 'ok') ?? test;
    checks.push(
      verdict(
        platform,
        'data_retrieval',
        'skipped',
        pages.length === 0 ? 'No pages requested: the credentials were rejected' : `No page could be read (see ${attributedTo(cause.outcome)})`,
      ),
    );
  }

  // Response time: over every request that got an HTTP answer, success or not.
  const answered = calls.filter((c) => !noAnswer(c));
  if (answered.length === 0) checks.push(verdict(platform, 'response_time', 'skipped', 'No request was answered'));
  else {
    const p95 = percentile(
      answered.map((c) => c.durationMs),
      95,
    );
    const measurements = {
      p95_ms: Math.round(p95),
      max_ms: Math.round(Math.max(...answered.map((c) => c.durationMs))),
      requests: answered.length,
      threshold_ms: thresholds.maxResponseMs,
    };
    checks.push(
      p95 > thresholds.maxResponseMs
        ? verdict(platform, 'response_time', 'failed', `p95 response time ${Math.round(p95)} ms exceeds ${thresholds.maxResponseMs} ms`, {
            kind: 'slow',
            durationMs: p95,
            measurements,
          })
        : verdict(platform, 'response_time', 'passed', `p95 response time ${Math.round(p95)} ms`, { durationMs: p95, measurements }),
    );
  }

  // Throughput: records and bytes a second over the pages that came back.
  const throttled = calls.filter((c) => c.outcome === 'rate_limited').length;
  if (okPages.length === 0 || records === 0) {
    if (throttled > 0)
      checks.push(
        verdict(platform, 'throughput', 'failed', `0 records/s: the platform rate-limited ${throttled} of ${calls.length} requests`, {
          kind: 'rate_limited',
          measurements: { records_per_second: 0, rate_limited_requests: throttled },
        }),
      );
    else checks.push(verdict(platform, 'throughput', 'skipped', okPages.length === 0 ? 'No page was read' : 'No records to measure (see data_retrieval)'));
  } else {
    const seconds =
      Math.max(
        okPages.reduce((sum, p) => sum + p.durationMs, 0),
        1,
      ) / 1000;
    const recordsPerSecond = round(records / seconds);
    const bytesPerSecond = Math.round(okPages.reduce((sum, p) => sum + p.bytes, 0) / seconds);
    const measurements = {
      records_per_second: recordsPerSecond,
      bytes_per_second: bytesPerSecond,
      records,
      seconds: round(seconds),
      threshold_records_per_second: thresholds.minRecordsPerSecond,
    };
    if (throttled > 0)
      checks.push(
        verdict(platform, 'throughput', 'failed', `${recordsPerSecond} records/s, throttled: ${throttled} requests answered 429`, {
          kind: 'rate_limited',
          durationMs: seconds * 1000,
          measurements,
        }),
      );
    else if (recordsPerSecond < thresholds.minRecordsPerSecond)
      checks.push(
        verdict(platform, 'throughput', 'failed', `${recordsPerSecond} records/s is below ${thresholds.minRecordsPerSecond}`, {
          kind: 'low_throughput',
          durationMs: seconds * 1000,
          measurements,
        }),
      );
    else
      checks.push(
        verdict(platform, 'throughput', 'passed', `${recordsPerSecond} records/s, ${bytesPerSecond} bytes/s`, { durationMs: seconds * 1000, measurements }),
      );
  }

  // Rate limits: any 429 is this check's failure.
  const limited = calls.find((c) => c.outcome === 'rate_limited');
  checks.push(
    limited
      ? verdict(platform, 'rate_limits', 'failed', `${throttled} of ${calls.length} requests answered 429: ${limited.message ?? ''}`.trim(), {
          kind: 'rate_limited',
          measurements: { rate_limited_requests: throttled, requests: calls.length },
        })
      : verdict(platform, 'rate_limits', 'passed', `No request of ${calls.length} was rate-limited`, {
          measurements: { rate_limited_requests: 0, requests: calls.length },
        }),
  );
  return checks;
}

/** What the quality validation counted over the retrieved records. */
export interface QualityMeasurements {
  platform: PlatformId;
  records: number;
  /** Records with at least one quality gate violation. */
  violatingRecords: number;
  /** Records repeating an (stream, entity, day) already seen. */
  duplicates: number;
  /** Records dated outside the requested window. */
  outOfWindow: number;
  /** The first violations, one line each. */
  samples: string[];
  /** Why nothing could be validated, when `records` is 0. */
  unavailableReason: string | null;
  minQualityScore: number;
}

/** The quality score: the share (0-100) of records with no violation, duplicate or stray date. Null with no records. */
export function qualityScore(m: Pick<QualityMeasurements, 'records' | 'violatingRecords' | 'duplicates' | 'outOfWindow'>): number | null {
  if (m.records === 0) return null;
  const bad = Math.min(m.records, m.violatingRecords + m.duplicates + m.outOfWindow);
  return Math.round((1000 * (m.records - bad)) / m.records) / 10;
}

export function qualityCheckVerdict(m: QualityMeasurements): IntegrationCheck {
  const score = qualityScore(m);
  if (score === null) return verdict(m.platform, 'quality_validation', 'skipped', m.unavailableReason ?? 'No records to validate');
  const measurements = {
    score,
    records: m.records,
    violating_records: m.violatingRecords,
    duplicates: m.duplicates,
    out_of_window: m.outOfWindow,
    threshold: m.minQualityScore,
  };
  if (score < m.minQualityScore) {
    return verdict(m.platform, 'quality_validation', 'failed', `Quality score ${score} is below ${m.minQualityScore}: ${m.samples.slice(0, 3).join('; ')}`, {
      kind: 'quality',
      measurements,
    });
  }
  return verdict(m.platform, 'quality_validation', 'passed', `Quality score ${score} over ${m.records} records`, { measurements });
}

export interface HealthCheckMeasurements {
  platform: PlatformId;
  /** The probe requests (the live platform's testConnection); empty when the mock source was tested. */
  probes: readonly TimedCall[];
  /** Finished syncs in the lookback and how many failed or fell back. */
  syncs: number;
  failedSyncs: number;
  /** Whether the connection syncs at all, and when it last succeeded. */
  lastSuccessfulSyncAt: Date | null;
  now: Date;
  thresholds: IntegrationThresholds;
}

/** Availability, error rate and last successful sync. */
export function healthCheckVerdicts(m: HealthCheckMeasurements): IntegrationCheck[] {
  const { platform, probes, thresholds } = m;
  const checks: IntegrationCheck[] = [];
  const probeMs = probes.reduce((sum, p) => sum + p.durationMs, 0);

  if (probes.length === 0) checks.push(verdict(platform, 'availability', 'passed', 'The mock source is always available'));
  else {
    const down = probes.filter(serverFailure);
    const availability = round((probes.length - down.length) / probes.length);
    const measurements = { availability, probes: probes.length, server_failures: down.length, threshold: thresholds.minAvailability };
    checks.push(
      availability < thresholds.minAvailability
        ? verdict(
            platform,
            'availability',
            'failed',
            `${probes.length - down.length} of ${probes.length} probe requests answered without a server failure: ${down[0]!.message ?? ''}`.trim(),
            {
              kind: down.some(noAnswer) ? 'network' : 'transient',
              durationMs: probeMs,
              measurements,
            },
          )
        : verdict(platform, 'availability', 'passed', `${probes.length - down.length} of ${probes.length} probe requests answered`, {
            durationMs: probeMs,
            measurements,
          }),
    );
  }

  // Error rate: server failures and unreadable answers among the probes, failed syncs among the recent ones.
  // Rejected credentials and 429s are not counted: authentication and rate_limits report those.
  const probeErrors = probes.filter((p) => p.outcome === 'transient' || p.outcome === 'malformed' || p.outcome === 'error').length;
  const total = probes.length + m.syncs;
  if (total === 0) checks.push(verdict(platform, 'error_rate', 'skipped', 'No requests or syncs to count'));
  else {
    const rate = round((probeErrors + m.failedSyncs) / total);
    const measurements = {
      error_rate: rate,
      failed_requests: probeErrors,
      requests: probes.length,
      failed_syncs: m.failedSyncs,
      syncs: m.syncs,
      threshold: thresholds.maxErrorRate,
    };
    checks.push(
      rate > thresholds.maxErrorRate
        ? verdict(
            platform,
            'error_rate',
            'failed',
            `Error rate ${rate}: ${probeErrors} of ${probes.length} requests and ${m.failedSyncs} of ${m.syncs} syncs failed`,
            { kind: 'transient', measurements },
          )
        : verdict(platform, 'error_rate', 'passed', `Error rate ${rate}`, { measurements }),
    );
  }

  if (m.syncs === 0 && !m.lastSuccessfulSyncAt) checks.push(verdict(platform, 'last_successful_sync', 'skipped', 'The connection has not synced yet'));
  else if (!m.lastSuccessfulSyncAt)
    checks.push(verdict(platform, 'last_successful_sync', 'failed', `None of the ${m.syncs} recent syncs succeeded`, { kind: 'stale' }));
  else {
    const hours = round((m.now.getTime() - m.lastSuccessfulSyncAt.getTime()) / 3_600_000);
    const measurements = { hours_since: hours, at: m.lastSuccessfulSyncAt.toISOString(), threshold_hours: thresholds.staleSyncHours };
    checks.push(
      hours > thresholds.staleSyncHours
        ? verdict(platform, 'last_successful_sync', 'failed', `Last successful sync ${hours} h ago`, { kind: 'stale', measurements })
        : verdict(platform, 'last_successful_sync', 'passed', `Last successful sync ${hours} h ago`, { measurements }),
    );
  }
  return checks;
}

/** A hybrid check's verdict as the hybrid activity judged it (the judgement is in the activity: it needs the reads). */
export function hybridCheckVerdict(
  platform: PlatformId,
  id: IntegrationCheckId,
  status: CheckStatus,
  message: string,
  options: { kind?: CheckFailureKind; durationMs?: number; measurements?: Measurements } = {},
): IntegrationCheck {
  return verdict(platform, id, status, message, options);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
