import type { DataSource } from './connection';
import type { QualityLevel } from './data-quality-score';
import type { PlatformId } from './platforms';
import type { Recommendation } from './validation-recommendations';
import type { MetricsAnalysis } from './validation-metrics-analysis';
import type { RuleOutcome } from './validation-rules';

/** The outcome of validating one connection's synced data: stored in data_validation_reports and returned by validationWorkflow. */
export interface ValidationReport {
  reportId: string;
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  workflowId: string;
  /** Which rows were judged: the connection's live rows, or its mock rows when asked for explicitly. Absent on reports from before rows recorded their source. */
  source?: DataSource;
  /** The day the data was judged as of (UTC): freshness and the 7-day window count back from it. */
  asOf: string;
  validatedAt: string;
  score: number;
  level: QualityLevel;
  rulesApplicable: number;
  rulesPassed: number;
  rulesFailed: number;
  rowCount: number;
  durationMs: number;
  rules: RuleOutcome[];
  metrics: MetricsAnalysis;
  recommendations: Recommendation[];
}

/** The part of a report a list or summary shows. */
export type ValidationReportSummary = Pick<
  ValidationReport,
  | 'reportId'
  | 'connectionId'
  | 'platform'
  | 'workflowId'
  | 'source'
  | 'asOf'
  | 'validatedAt'
  | 'score'
  | 'level'
  | 'rulesApplicable'
  | 'rulesPassed'
  | 'rulesFailed'
  | 'rowCount'
> & { failedRules: string[]; criticalFailed: boolean };
