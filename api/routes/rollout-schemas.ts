import { z } from 'zod';
import { PLATFORM_IDS } from '../../domain/platforms';
import { ROLLOUT_STRATEGIES, type RolloutStage, type StepVerdict } from '../../domain/rollout';
import { DataSourceName, pageQuery } from '../request-schemas';
import { Count, PlatformName, SourceName, Timestamp } from '../response-schemas';

const rate = z.number().min(0).max(1);
const platform = z.enum(PLATFORM_IDS);

export const SuccessCriteriaBody = z.strictObject({
  min_success_rate: rate,
  max_error_rate: rate,
  min_sample_size: z.number().int().min(1).max(100_000),
  max_p95_duration_ms: z.number().int().positive().optional(),
  max_mean_response_ms: z.number().int().positive().optional(),
});
export const RollbackCriteriaBody = z.strictObject({
  max_error_rate: rate,
  min_sample_size: z.number().int().min(1).max(100_000),
  max_p95_duration_ms: z.number().int().positive().optional(),
  max_mean_response_ms: z.number().int().positive().optional(),
});

export const CreateRolloutBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  strategy: z.enum(ROLLOUT_STRATEGIES),
  platforms: z.array(platform).min(1).optional(),
  groups: z.record(z.string().min(1).max(100), z.array(z.string().min(1).max(200)).max(10_000)).optional(),
  variants: z
    .array(z.strictObject({ name: z.string().min(1).max(100), weight: z.number().positive().max(1_000_000), source: DataSourceName }))
    .max(20)
    .optional(),
  steps: z
    .array(
      z.strictObject({
        percentage: z.number().int().min(0).max(100).optional(),
        users: z.array(z.string().min(1).max(200)).max(10_000).optional(),
        groups: z.array(z.string().min(1).max(100)).optional(),
        platforms: z.array(platform).optional(),
        enabled: z.boolean().optional(),
        min_duration_seconds: z
          .number()
          .int()
          .min(1)
          .max(30 * 24 * 3600),
      }),
    )
    .min(1)
    .max(50),
  success_criteria: SuccessCriteriaBody,
  rollback_criteria: RollbackCriteriaBody,
  advance: z.enum(['automatic', 'manual']).default('automatic'),
  analysis_interval_seconds: z.number().int().min(1).max(3600).default(60),
  max_inconclusive_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(3600),
});

export const ThresholdsBody = z
  .strictObject({ success_criteria: SuccessCriteriaBody.partial().optional(), rollback_criteria: RollbackCriteriaBody.partial().optional() })
  .refine((b) => b.success_criteria || b.rollback_criteria, { message: 'send success_criteria or rollback_criteria' });

export const RollbackBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

export const ListRolloutsQuery = pageQuery(200, 50);

export const EvaluateQuery = z.object({ user_id: z.string().min(1).max(200), platform });

const ROLLOUT_STAGES = ['created', 'validating', 'running', 'awaiting_approval', 'paused', 'completed', 'rolled_back', 'blocked'] as const;
const Stage = z.enum(ROLLOUT_STAGES satisfies readonly RolloutStage[]);
const Strategy = z.enum(ROLLOUT_STRATEGIES);

/*
 * Answers show a rollout's configuration and state as the workflow keeps them (domain/rollout.ts):
 * camelCase, unlike the snake_case request bodies above.
 */
const SuccessCriteriaView = z
  .object({
    minSuccessRate: z.number(),
    maxErrorRate: z.number(),
    minSampleSize: z.int(),
    maxP95DurationMs: z.number().optional(),
    maxMeanResponseMs: z.number().optional(),
  })
  .meta({ id: 'SuccessCriteria' });
const RollbackCriteriaView = z
  .object({ maxErrorRate: z.number(), minSampleSize: z.int(), maxP95DurationMs: z.number().optional(), maxMeanResponseMs: z.number().optional() })
  .meta({ id: 'RollbackCriteria' });

const RolloutConfigView = z
  .object({
    strategy: Strategy,
    platforms: z.array(PlatformName).optional(),
    groups: z.record(z.string(), z.array(z.string())).optional(),
    variants: z.array(z.object({ name: z.string(), weight: z.number(), source: SourceName })).optional(),
    steps: z.array(
      z.object({
        percentage: z.number().optional(),
        users: z.array(z.string()).optional(),
        groups: z.array(z.string()).optional(),
        platforms: z.array(PlatformName).optional(),
        enabled: z.boolean().optional(),
        minDurationSeconds: z.int(),
      }),
    ),
    success: SuccessCriteriaView,
    rollback: RollbackCriteriaView,
    advance: z.enum(['automatic', 'manual']),
    analysisIntervalSeconds: z.int(),
    maxInconclusiveSeconds: z.int(),
  })
  .meta({ id: 'RolloutConfig' });

/** Where a rollout stands, as its listing and its status both show it. */
const RolloutPosition = {
  name: z.string(),
  strategy: Strategy,
  stage: Stage,
  step_index: Count,
  step_count: Count,
  current_percentage: z.number().nullable(),
};

/** A rollout as stored: its configuration and where it stands. */
export const RolloutView = z
  .object({
    id: z.uuid(),
    ...RolloutPosition,
    rollback_cause: z.string().nullable(),
    workflow_id: z.string(),
    config: RolloutConfigView,
    created_by: z.string(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Rollout' });

export const RolloutListResponse = z.object({ rollouts: z.array(RolloutView), limit: Count, offset: Count });

/** The rollout's workflow started: it validates the configuration, then runs the first step. */
export const RolloutStartedResponse = z.object({ status: z.literal('validating'), workflow_id: z.string(), run_id: z.string() });

/** The signal was sent to the rollout's workflow, which acts on it at once (see its status). */
export const RolloutSignalledResponse = z.object({ rollout_id: z.uuid(), requested: z.enum(['pause', 'resume', 'promote', 'rollback']) });

/** The criteria the workflow applies from now on. */
export const ThresholdsResponse = z.object({ rollout_id: z.uuid(), success_criteria: SuccessCriteriaView, rollback_criteria: RollbackCriteriaView });

const STEP_VERDICTS = ['pass', 'fail', 'inconclusive'] as const satisfies readonly StepVerdict[];
const NullableNumber = z.number().nullable();
const StepAnalysisView = z
  .object({
    measurement: z.object({
      at: Timestamp,
      stepIndex: Count,
      connectionsExposed: Count,
      samples: Count,
      succeeded: Count,
      failed: Count,
      successRate: NullableNumber,
      errorRate: NullableNumber,
      p50DurationMs: NullableNumber,
      p95DurationMs: NullableNumber,
      platformRequests: Count,
      platformRequestErrorRate: NullableNumber,
      meanPlatformResponseMs: NullableNumber,
    }),
    verdict: z.enum(STEP_VERDICTS),
    reasons: z.array(z.string()),
  })
  .meta({ id: 'RolloutStepAnalysis' });

/** Where a rollout stands: from its running workflow, or its last stored state once it has closed. */
export const RolloutStatusResponse = z.object({
  rollout_id: z.uuid(),
  ...RolloutPosition,
  step_started_at: Timestamp.nullable(),
  criteria: z.object({ success: SuccessCriteriaView, rollback: RollbackCriteriaView }),
  metrics_history: z.array(StepAnalysisView),
  events: z.array(z.object({ at: Timestamp, type: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })),
  recommendations: z.array(z.string()),
  rollback_cause: z.string().nullable(),
  blocked_reasons: z.array(z.string()),
});

/** Which of the org's rollouts apply to the user and platform, and the data source they get. */
export const RolloutEvaluationResponse = z.object({
  user_id: z.string(),
  platform: PlatformName,
  source: SourceName,
  rollout_id: z.uuid().nullable(),
  features: z.array(
    z.object({
      rollout_id: z.uuid(),
      name: z.string(),
      strategy: z.string(),
      stage: Stage,
      enabled: z.boolean(),
      variant: z.string().nullable(),
      source: SourceName,
    }),
  ),
});
