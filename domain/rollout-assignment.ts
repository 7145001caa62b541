import murmurhash from 'murmurhash';
import type { DataSource } from './connection';
import type { PlatformId } from './platforms';
import { EXPOSING_STAGES, type RolloutConfig, type RolloutStage } from './rollout';

/**
 * A user's bucket, 0-99: 32-bit murmur3 of `rollout_id:user_id` modulo 100, as Unleash's gradual
 * rollout does. Stable across evaluations and processes, so a user exposed at 10 % stays exposed
 * at 20 % (exposure is `bucket < percentage`).
 */
export function rolloutBucket(rolloutId: string, userId: string): number {
  return murmurhash.v3(`${rolloutId}:${userId}`) % 100;
}

/**
 * The A/B variant of a user: a second hash (its own key, so variant and exposure are independent)
 * over the total weight. Weights need not sum to 100.
 */
export function rolloutVariant<V extends { name: string; weight: number }>(rolloutId: string, userId: string, variants: readonly V[]): V | null {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (total <= 0) return null;
  const point = (murmurhash.v3(`${rolloutId}:variant:${userId}`) / 0x1_0000_0000) * total;
  let upTo = 0;
  for (const variant of variants) {
    upTo += variant.weight;
    if (point < upTo) return variant;
  }
  return variants[variants.length - 1]!;
}

export interface RolloutSubject {
  userId: string;
  platform: PlatformId;
}

export interface RolloutAssignment {
  exposed: boolean;
  /** The A/B variant (ab_test only, when exposed). */
  variant: string | null;
  /** The data the subject gets under this rollout: live when exposed (or its variant's source). */
  source: DataSource;
}

const NOT_EXPOSED: RolloutAssignment = { exposed: false, variant: null, source: 'mock' };

/**
 * Whether a user on a platform is exposed by a rollout in a given stage and step. A completed
 * rollout exposes everyone in scope; a rolled-back (or not yet started) one nobody: the kill switch.
 */
export function assignRollout(
  rollout: { id: string; config: RolloutConfig; stage: RolloutStage; stepIndex: number },
  subject: RolloutSubject,
): RolloutAssignment {
  const { config } = rollout;
  if (!EXPOSING_STAGES.includes(rollout.stage)) return NOT_EXPOSED;
  if (config.platforms && !config.platforms.includes(subject.platform)) return NOT_EXPOSED;
  const complete = rollout.stage === 'completed';
  const step = config.steps[Math.min(rollout.stepIndex, config.steps.length - 1)];
  if (!step) return NOT_EXPOSED;
  let exposed: boolean;
  switch (config.strategy) {
    case 'percentage':
    case 'ab_test':
      exposed = rolloutBucket(rollout.id, subject.userId) < (complete ? 100 : (step.percentage ?? 0));
      break;
    case 'user':
      exposed = complete || (step.users ?? []).includes(subject.userId) || (step.groups ?? []).some((g) => (config.groups?.[g] ?? []).includes(subject.userId));
      break;
    case 'platform':
      exposed = complete || (step.platforms ?? []).includes(subject.platform);
      break;
    case 'feature_flag':
      exposed = complete || step.enabled === true;
      break;
  }
  if (!exposed) return NOT_EXPOSED;
  if (config.strategy !== 'ab_test') return { exposed: true, variant: null, source: 'live' };
  const variant = rolloutVariant(rollout.id, subject.userId, config.variants ?? []);
  return { exposed: true, variant: variant?.name ?? null, source: variant?.source ?? 'mock' };
}

/** A rollout as the sync path weighs it. */
export interface GoverningRollout {
  id: string;
  name: string;
  config: RolloutConfig;
  stage: RolloutStage;
  stepIndex: number;
}

/**
 * The source a rollout prescribes for an `auto` connection, or null when no rollout governs its
 * platform. The newest rollout in scope governs: exposed subjects get its source (live, or their
 * A/B variant's), the others stay on mock until their step comes; a rolled-back rollout keeps
 * everyone in scope on mock (the kill switch) until a newer rollout replaces it.
 */
export function rolloutSourceFor(rollouts: readonly GoverningRollout[], subject: RolloutSubject): { source: DataSource; reason: string | null } | null {
  const governing = rollouts.find(
    (r) => (r.stage === 'rolled_back' || EXPOSING_STAGES.includes(r.stage)) && (!r.config.platforms || r.config.platforms.includes(subject.platform)),
  );
  if (!governing) return null;
  if (governing.stage === 'rolled_back') return { source: 'mock', reason: `rollout "${governing.name}" was rolled back` };
  const assignment = assignRollout(governing, subject);
  if (!assignment.exposed) return { source: 'mock', reason: `not yet exposed by rollout "${governing.name}"` };
  return {
    source: assignment.source,
    reason: assignment.source === 'mock' ? `A/B variant ${assignment.variant ?? ''} of rollout "${governing.name}" serves mock` : null,
  };
}
