import { z } from 'zod';
import { CONNECTION_STATUSES } from '../../domain/connection';
import { QUALITY_LEVELS } from '../../domain/data-quality-score';
import { METRIC_FIELDS } from '../../domain/validation-field-rules';
import { SEVERITIES, VALIDATION_RULE_IDS } from '../../domain/validation-rules';
import { IsoDate } from '../request-schemas';
import { Count, PlatformName, SourceName, StreamName, Timestamp } from '../response-schemas';

/** The answers of the data validation routes (api/routes/data-validation.ts). */

const Level = z.enum(QUALITY_LEVELS);
const Severity = z.enum(SEVERITIES);
const RuleId = z.enum(VALIDATION_RULE_IDS);
const Score = z.number().min(0).max(100);

export const ValidationRulesResponse = z.object({
  rules: z.array(
    z.object({
      id: RuleId,
      name: z.string(),
      severity: Severity,
      weight: z.number(),
      platforms: z.union([z.literal('all'), z.array(PlatformName)]),
      description: z.string(),
    }),
  ),
  severity_weights: z.record(Severity, z.number()),
  /** Each level's score range, inclusive. */
  levels: z.record(Level, z.tuple([z.number(), z.number()])),
});

/** What one rule found on one connection, with samples of what failed. */
const RuleOutcomeView = z.object({
  rule_id: RuleId,
  severity: Severity,
  applicable: z.boolean(),
  passed: z.boolean(),
  violations: Count,
  checked: Count,
  message: z.string(),
  samples: z.array(z.object({ stream: StreamName.nullable(), entity_id: z.string().nullable(), date: IsoDate.nullable(), detail: z.string() })),
});

/** What a report and its summary both show: which connection's rows, judged when, and the score. */
const ReportHeading = {
  report_id: z.string(),
  connection_id: z.string(),
  platform: PlatformName,
  workflow_id: z.string(),
  source: SourceName.nullable(),
  as_of: IsoDate,
  validated_at: Timestamp,
  score: Score,
  level: Level,
  rules_applicable: Count,
  rules_passed: Count,
  rules_failed: Count,
  row_count: Count,
};

/** A connection's validation report (api/presenters/validation-report.ts). */
export const ValidationReportView = z
  .object({
    ...ReportHeading,
    duration_ms: z.number().nonnegative(),
    rules: z.array(RuleOutcomeView),
    metrics: z.object({
      freshness: z.object({
        latest_date: IsoDate.nullable(),
        earliest_date: IsoDate.nullable(),
        span_days: Count,
        days_with_data: Count,
        last_synced_at: Timestamp.nullable(),
        freshness_score: Score,
      }),
      completeness: z.object({ fields: z.partialRecord(z.enum(METRIC_FIELDS), Score), overall: Score }),
      consistency: z.object({ rows: Count, relationship_violations: Count, range_violations: Count, anomalous_days: Count, consistency_score: Score }),
      reliability: z.object({
        connection_status: z.enum(CONNECTION_STATUSES),
        last_sync_at: Timestamp.nullable(),
        last_sync_status: z.string().nullable(),
        sync_success_rate: Score.nullable(),
        syncs_considered: Count,
      }),
    }),
    recommendations: z.array(z.object({ rule_id: RuleId, severity: Severity, priority: z.int().positive(), title: z.string(), actions: z.array(z.string()) })),
  })
  .meta({ id: 'ValidationReport' });
export type ValidationReportView = z.infer<typeof ValidationReportView>;

/** A report as a list or summary shows it. */
export const ValidationSummaryView = z
  .object({
    ...ReportHeading,
    failed_rules: z.array(z.string()),
    critical_failed: z.boolean(),
  })
  .meta({ id: 'ValidationSummary' });
export type ValidationSummaryView = z.infer<typeof ValidationSummaryView>;

/** `served`: the stored report while it is fresh, or the one a run (joined or started) produced. */
export const ValidationReportResponse = ValidationReportView.extend({ served: z.enum(['stored', 'run']) });

/** A validation running (joined when it was already going); its result will be at `result_url`. */
export const ValidationRunningResponse = z.object({
  status: z.literal('running'),
  workflow_id: z.string(),
  run_id: z.string(),
  joined: z.boolean(),
  result_url: z.string(),
});

export const ValidationStartedResponse = ValidationRunningResponse.extend({ source: SourceName });

/** Each connection's score and level: stored reports while fresh, the others from one run per org. */
export const ValidateAllResponse = z.object({
  workflow_id: z.string().nullable(),
  source: SourceName,
  served: z.enum(['stored', 'run']),
  total: Count,
  validated: Count,
  failed: Count,
  results: z.array(
    z.object({
      connection_id: z.string(),
      platform: PlatformName,
      workflow_id: z.string(),
      source: SourceName.nullable(),
      report_id: z.string().nullable(),
      score: Score.nullable(),
      level: Level.nullable(),
      error: z.string().nullable(),
    }),
  ),
});

export const ReportHistoryResponse = z.object({ connection_id: z.string(), source: SourceName, reports: z.array(ValidationSummaryView) });

/** A validation run by its workflow id: running, completed with its report, or failed with why. */
export const ValidationResultResponse = z.discriminatedUnion('status', [
  z.object({ status: z.literal('running'), workflow_id: z.string(), report: z.null() }),
  z.object({ status: z.literal('completed'), workflow_id: z.string(), report: ValidationReportView }),
  z.object({ status: z.literal('failed'), workflow_id: z.string(), error: z.string().nullable(), report: z.null() }),
]);

/** The org's latest score per connection, summarised, with the daily trend. */
export const QualitySummaryResponse = z.object({
  source: SourceName,
  connections_validated: Count,
  average_score: Score.nullable(),
  levels: z.record(Level, Count),
  platforms: z.array(z.object({ platform: PlatformName, connections: Count, average_score: Score.nullable() })),
  failing_rules: z.array(z.object({ rule_id: z.string(), connections: Count })),
  lowest: z.array(ValidationSummaryView),
  trend: z.array(z.object({ date: IsoDate, average_score: Score, reports: Count })),
});
