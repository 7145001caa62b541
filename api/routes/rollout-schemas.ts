import { z } from 'zod';
import { PLATFORM_IDS } from '../../domain/platforms';
import { ROLLOUT_STRATEGIES } from '../../domain/rollout';
import { DataSourceName, pageQuery } from '../request-schemas';

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
  variants: z.array(z.strictObject({ name: z.string().min(1).max(100), weight: z.number().positive().max(1_000_000), source: DataSourceName })).max(20).optional(),
  steps: z
    .array(
      z.strictObject({
        percentage: z.number().int().min(0).max(100).optional(),
        users: z.array(z.string().min(1).max(200)).max(10_000).optional(),
        groups: z.array(z.string().min(1).max(100)).optional(),
        platforms: z.array(platform).optional(),
        enabled: z.boolean().optional(),
        min_duration_seconds: z.number().int().min(1).max(30 * 24 * 3600),
      }),
    )
    .min(1)
    .max(50),
  success_criteria: SuccessCriteriaBody,
  rollback_criteria: RollbackCriteriaBody,
  advance: z.enum(['automatic', 'manual']).default('automatic'),
  analysis_interval_seconds: z.number().int().min(1).max(3600).default(60),
  max_inconclusive_seconds: z.number().int().min(0).max(7 * 24 * 3600).default(3600),
});

export const ThresholdsBody = z
  .strictObject({ success_criteria: SuccessCriteriaBody.partial().optional(), rollback_criteria: RollbackCriteriaBody.partial().optional() })
  .refine((b) => b.success_criteria || b.rollback_criteria, { message: 'send success_criteria or rollback_criteria' });

export const RollbackBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

export const ListRolloutsQuery = pageQuery(200, 50);

export const EvaluateQuery = z.object({ user_id: z.string().min(1).max(200), platform });
