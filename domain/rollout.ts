import type { DataSource } from './connection';
import type { PlatformId } from './platforms';

/**
 * A rollout moves an org's connections from mock to live data gradually. Workflow-safe: types and
 * pure checks only (the workflow validates threshold updates with them).
 */
export const ROLLOUT_STRATEGIES = ['percentage', 'user', 'platform', 'feature_flag', 'ab_test'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

/** One step: who is exposed, and for how long at least before it is judged. */
export interface RolloutStep {
  /** percentage and ab_test: share of users (0-100) exposed at this step. */
  percentage?: number;
  /** user: user ids exposed at this step, and groups (names from the rollout's `groups`). */
  users?: string[];
  groups?: string[];
  /** platform: platforms exposed at this step. */
  platforms?: PlatformId[];
  /** feature_flag: the flag's value for the org at this step. */
  enabled?: boolean;
  minDurationSeconds: number;
}

/** A/B test variant; `source` is the data each variant's users get. */
export interface RolloutVariant {
  name: string;
  weight: number;
  source: DataSource;
}

export interface SuccessCriteria {
  /** 0-1: share of measured syncs that must succeed. */
  minSuccessRate: number;
  /** 0-1 */
  maxErrorRate: number;
  /** Measured syncs a step needs before it can be judged; fewer is inconclusive. */
  minSampleSize: number;
  /** Optional ceiling on the p95 sync duration, in ms. */
  maxP95DurationMs?: number;
  /** Optional ceiling on the mean response time of the step's live platform requests (the worker's metrics), in ms. */
  maxMeanResponseMs?: number;
}

/** Checked at every measurement, before a step's minimum duration: breaching them rolls back at once. */
export interface RollbackCriteria {
  /** 0-1 */
  maxErrorRate: number;
  /** Measured syncs needed before the rollback criteria apply (protects against one unlucky sync). */
  minSampleSize: number;
  maxP95DurationMs?: number;
  maxMeanResponseMs?: number;
}

export interface RolloutConfig {
  strategy: RolloutStrategy;
  /** Connections in scope: the org's connections on these platforms (all platforms when absent). */
  platforms?: PlatformId[];
  /** user strategy: named groups of user ids. */
  groups?: Record<string, string[]>;
  /** ab_test: weighted variants (weights need not sum to 100). */
  variants?: RolloutVariant[];
  steps: RolloutStep[];
  success: SuccessCriteria;
  rollback: RollbackCriteria;
  /** automatic: a passed step advances at once; manual: it waits for `promote` (or the `approve` update). */
  advance: 'automatic' | 'manual';
  /** How often a running step is measured. */
  analysisIntervalSeconds: number;
  /** How long past its minimum duration an inconclusive step may wait for samples before the rollout pauses. */
  maxInconclusiveSeconds: number;
}

export type RolloutStage = 'created' | 'validating' | 'running' | 'awaiting_approval' | 'paused' | 'completed' | 'rolled_back' | 'blocked';

/** Stages in which the rollout's exposure applies: the flags evaluate to the current step. */
export const EXPOSING_STAGES: readonly RolloutStage[] = ['running', 'awaiting_approval', 'paused', 'completed'];

export type StepVerdict = 'pass' | 'fail' | 'inconclusive';

/** What a step's connections did since the step began: their sync logs, and their platforms' requests as the workers recorded them. */
export interface StepMeasurement {
  at: string;
  stepIndex: number;
  connectionsExposed: number;
  samples: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  errorRate: number | null;
  p50DurationMs: number | null;
  p95DurationMs: number | null;
  /** Live page requests to the exposed connections' platforms since the step began, as the workers timed them. */
  platformRequests: number;
  platformRequestErrorRate: number | null;
  meanPlatformResponseMs: number | null;
}

export interface StepAnalysis {
  measurement: StepMeasurement;
  verdict: StepVerdict;
  reasons: string[];
}

export interface RolloutEvent {
  at: string;
  type: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Who caused an event: the API caller that sent the signal, the alert evaluation, or (null) the workflow itself. */
export interface RolloutActor {
  actorId: string;
  actorRole: string;
  requestId: string | null;
}

/**
 * What asked for a rollback from outside the workflow: a person (the API's rollback route), or a
 * critical alert of the rollout's own org. Signals without one (sent before it existed) are manual.
 */
export type RollbackTrigger = { kind: 'manual' } | { kind: 'alert'; alertId: string; ruleId: string };

/** The state the workflow owns and persists at each transition (rollouts.state). */
export interface RolloutState {
  stage: RolloutStage;
  stepIndex: number;
  stepStartedAt: string | null;
  /** The exposure in percent where it is one number (percentage, ab_test, feature_flag); null otherwise. */
  currentPercentage: number | null;
  /** Analyses, newest last (bounded: the last 50 are kept). */
  metricsHistory: StepAnalysis[];
  /** Events, newest last (bounded: the last 100 are kept; all are in the audit log). */
  events: RolloutEvent[];
  recommendations: string[];
  rollbackCause: string | null;
  blockedReasons: string[];
  criteria: { success: SuccessCriteria; rollback: RollbackCriteria };
}

export interface ValidationProblem {
  field: string;
  message: string;
}

const isRate = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
const isCount = (x: unknown) => Number.isInteger(x) && (x as number) >= 1;
const isOptionalMs = (x: unknown) => x === undefined || (typeof x === 'number' && Number.isFinite(x) && x > 0);

/**
 * Problems with a threshold change; empty when it may be accepted. Also used on creation. The
 * update handler's validator runs this, so a rejected update never reaches the history.
 */
export function thresholdProblems(criteria: { success: SuccessCriteria; rollback: RollbackCriteria }): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const { success, rollback } = criteria;
  if (!isRate(success.minSuccessRate)) problems.push({ field: 'success.min_success_rate', message: 'must be between 0 and 1' });
  if (!isRate(success.maxErrorRate)) problems.push({ field: 'success.max_error_rate', message: 'must be between 0 and 1' });
  if (!isCount(success.minSampleSize)) problems.push({ field: 'success.min_sample_size', message: 'must be a whole number of at least 1' });
  if (!isOptionalMs(success.maxP95DurationMs)) problems.push({ field: 'success.max_p95_duration_ms', message: 'must be positive' });
  if (!isOptionalMs(success.maxMeanResponseMs)) problems.push({ field: 'success.max_mean_response_ms', message: 'must be positive' });
  if (!isRate(rollback.maxErrorRate)) problems.push({ field: 'rollback.max_error_rate', message: 'must be between 0 and 1' });
  if (!isCount(rollback.minSampleSize)) problems.push({ field: 'rollback.min_sample_size', message: 'must be a whole number of at least 1' });
  if (!isOptionalMs(rollback.maxP95DurationMs)) problems.push({ field: 'rollback.max_p95_duration_ms', message: 'must be positive' });
  if (!isOptionalMs(rollback.maxMeanResponseMs)) problems.push({ field: 'rollback.max_mean_response_ms', message: 'must be positive' });
  if (problems.length > 0) return problems;
  if (success.minSuccessRate + success.maxErrorRate < 1 - 1e-9) {
    problems.push({ field: 'success', message: 'min_success_rate and max_error_rate contradict each other (their sum is below 1: no step could pass)' });
  }
  if (rollback.maxErrorRate < success.maxErrorRate) {
    problems.push({ field: 'rollback.max_error_rate', message: 'must not be below success.max_error_rate (a step that passes would also roll back)' });
  }
  return problems;
}

/** Problems with a whole configuration (strategy-specific step fields included). */
export function rolloutConfigProblems(config: RolloutConfig): ValidationProblem[] {
  const problems = thresholdProblems(config);
  if (config.steps.length === 0) problems.push({ field: 'steps', message: 'at least one step is needed' });
  let previous = -1;
  config.steps.forEach((step, i) => {
    const field = `steps.${i}`;
    if (config.strategy === 'percentage' || config.strategy === 'ab_test') {
      if (step.percentage === undefined) problems.push({ field: `${field}.percentage`, message: `required by the ${config.strategy} strategy` });
      else if (step.percentage <= previous) problems.push({ field: `${field}.percentage`, message: 'steps must grow: each percentage above the previous one' });
      else previous = step.percentage;
    }
    if (config.strategy === 'user' && (step.users ?? []).length + (step.groups ?? []).length === 0)
      problems.push({ field, message: 'a user step names users or groups' });
    for (const group of step.groups ?? []) if (!config.groups?.[group]) problems.push({ field: `${field}.groups`, message: `unknown group ${group}` });
    if (config.strategy === 'platform' && (step.platforms ?? []).length === 0)
      problems.push({ field: `${field}.platforms`, message: 'a platform step names platforms' });
    if (config.strategy === 'feature_flag' && step.enabled === undefined)
      problems.push({ field: `${field}.enabled`, message: 'required by the feature_flag strategy' });
  });
  if (config.strategy === 'ab_test') {
    const variants = config.variants ?? [];
    if (variants.length < 2) problems.push({ field: 'variants', message: 'an A/B test needs at least two variants' });
    if (variants.some((v) => v.weight <= 0)) problems.push({ field: 'variants', message: 'weights must be positive' });
    if (new Set(variants.map((v) => v.name)).size !== variants.length) problems.push({ field: 'variants', message: 'variant names must be unique' });
  }
  return problems;
}

/** The number the status shows as the current exposure, where the strategy has one. */
export function stepPercentage(config: RolloutConfig, stepIndex: number): number | null {
  const step = config.steps[stepIndex];
  if (!step) return null;
  if (config.strategy === 'feature_flag') return step.enabled ? 100 : 0;
  return step.percentage ?? null;
}
