import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DataSource } from '../../domain/connection';
import type { PlatformId } from '../../domain/platforms';
import { EXPOSING_STAGES, type RolloutConfig, type RolloutStage, type RolloutState, stepPercentage } from '../../domain/rollout';
import type { SyncOutcome } from '../../domain/rollout-analysis';
import { type GoverningRollout, assignRollout } from '../../domain/rollout-assignment';
import { rolloutWorkflowId } from '../../domain/workflow-ids';
import type { Database, RolloutRow } from '../schema';
import { listOrgConnections } from './connections';

type Db = Kysely<Database> | Transaction<Database>;

export async function insertRollout(
  db: Db,
  rollout: { id: string; orgId: string; name: string; config: RolloutConfig; createdBy: string },
): Promise<RolloutRow> {
  return db
    .insertInto('rollouts')
    .values({
      id: rollout.id,
      org_id: rollout.orgId,
      name: rollout.name,
      strategy: rollout.config.strategy,
      config: JSON.stringify(rollout.config),
      current_percentage: null,
      rollback_cause: null,
      workflow_id: rolloutWorkflowId(rollout.id),
      created_by: rollout.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A rollout of the org, or undefined (another org's id is not found either). */
export async function findRollout(db: Db, orgId: string, id: string): Promise<RolloutRow | undefined> {
  return db.selectFrom('rollouts').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function findRolloutById(db: Db, id: string): Promise<RolloutRow | undefined> {
  return db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listRollouts(db: Db, orgId: string, options: { limit: number; offset: number; stage?: RolloutStage }): Promise<RolloutRow[]> {
  let query = db.selectFrom('rollouts').selectAll().where('org_id', '=', orgId);
  if (options.stage) query = query.where('stage', '=', options.stage);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(options.limit).offset(options.offset).execute();
}

/**
 * Stores the workflow's state after a transition. Writes are ordered by `revision`: a retried
 * activity with an older snapshot changes nothing. Answers whether this write was applied.
 */
export async function saveRolloutState(db: Db, id: string, revision: number, state: RolloutState, config: RolloutConfig): Promise<boolean> {
  const result = await db
    .updateTable('rollouts')
    .set({
      stage: state.stage,
      step_index: state.stepIndex,
      current_percentage:
        state.stage === 'completed' ? 100 : state.stage === 'rolled_back' ? 0 : (state.currentPercentage ?? stepPercentage(config, state.stepIndex)),
      state: JSON.stringify(state),
      revision,
      rollback_cause: state.rollbackCause,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('revision', '<', revision)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The stages of a rollout that has started and not ended. */
const STAGES_IN_PROGRESS: readonly RolloutStage[] = ['validating', 'running', 'awaiting_approval', 'paused'];

/** The org's other rollouts that have started and not ended: an org runs one rollout at a time. */
export async function otherRolloutsInProgress(db: Db, rollout: Pick<RolloutRow, 'id' | 'org_id'>): Promise<Pick<RolloutRow, 'id' | 'name'>[]> {
  return db
    .selectFrom('rollouts')
    .select(['id', 'name'])
    .where('org_id', '=', rollout.org_id)
    .where('id', '<>', rollout.id)
    .where('stage', 'in', [...STAGES_IN_PROGRESS])
    .execute();
}

/** The org's connections a rollout covers (not disabled; on its platforms when it names some). */
export async function rolloutScopeConnections(
  db: Db,
  rollout: Pick<RolloutRow, 'org_id' | 'config'>,
): Promise<{ id: string; userId: string; platform: PlatformId; dataMode: string }[]> {
  const rows = await listOrgConnections(db, rollout.org_id, { exceptStatus: 'disabled', platforms: rollout.config.platforms });
  return rows.map((r) => ({ id: r.id, userId: r.user_id, platform: r.platform, dataMode: r.data_mode }));
}

/** The connections a rollout exposes in a stage and step (its users' buckets, lists, platforms or flag). */
export async function rolloutExposedConnections(db: Db, rollout: Pick<RolloutRow, 'id' | 'org_id' | 'config'>, at: { stage: RolloutStage; stepIndex: number }) {
  const scope = await rolloutScopeConnections(db, rollout);
  return scope.filter((c) => assignRollout({ id: rollout.id, config: rollout.config, ...at }, { userId: c.userId, platform: c.platform }).exposed);
}

/**
 * Closed syncs of the given connections that started at or after `since`: whether each failed
 * (failed, or a live attempt that fell back to mock) and how long it took. Cancelled syncs and
 * syncs that never tried live (mock source, no fallback) say nothing about live data.
 */
export async function syncOutcomesSince(db: Db, connectionIds: string[], since: Date): Promise<SyncOutcome[]> {
  if (connectionIds.length === 0) return [];
  const rows = await db
    .selectFrom('data_sync_logs')
    .select(['status', 'source', 'fallback_at', 'started_at', 'finished_at'])
    .where('connection_id', 'in', connectionIds)
    .where('started_at', '>=', since)
    .where('status', 'in', ['completed', 'failed'])
    .where((eb) => eb.or([eb('source', '=', 'live'), eb('fallback_at', 'is not', null), eb('status', '=', 'failed')]))
    .execute();
  return rows.map((r) => ({
    failed: r.status === 'failed' || r.fallback_at !== null,
    durationMs: Math.max(0, (r.finished_at ?? r.started_at).getTime() - r.started_at.getTime()),
  }));
}

export interface RolloutDecision {
  /** live when any exposing rollout of the org exposes the subject to live data; mock otherwise. */
  source: DataSource;
  /** The rollout that decided (the newest exposing one), or null when none applies. */
  rolloutId: string | null;
  features: { rolloutId: string; name: string; strategy: string; stage: RolloutStage; exposed: boolean; variant: string | null; source: DataSource }[];
}

/** The org's rollouts that currently expose someone (running, awaiting approval, paused or completed), newest first. */
export async function exposingRollouts(db: Db, orgId: string): Promise<RolloutRow[]> {
  return db
    .selectFrom('rollouts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('stage', 'in', [...EXPOSING_STAGES])
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** The org's rollouts that can govern its `auto` connections (exposing or rolled back), newest first. */
export async function governingRollouts(db: Db, orgId: string): Promise<GoverningRollout[]> {
  const rows = await db
    .selectFrom('rollouts')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('stage', 'in', [...EXPOSING_STAGES, 'rolled_back'])
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, config: r.config, stage: r.stage, stepIndex: r.step_index }));
}

/**
 * Which data a user's connection on a platform should get, by the org's rollouts. The sync path's
 * hook: a connection whose decision is `live` (rolloutId set) is in a rollout's exposed audience.
 */
export async function activeRolloutDecision(db: Db, subject: { orgId: string; userId: string; platform: PlatformId }): Promise<RolloutDecision> {
  const rollouts = await exposingRollouts(db, subject.orgId);
  const features = rollouts.map((r) => {
    const assignment = assignRollout(
      { id: r.id, config: r.config, stage: r.stage, stepIndex: r.step_index },
      { userId: subject.userId, platform: subject.platform },
    );
    return { rolloutId: r.id, name: r.name, strategy: r.strategy, stage: r.stage, ...assignment };
  });
  const deciding = features.find((f) => f.exposed);
  return { source: deciding?.source ?? 'mock', rolloutId: deciding?.rolloutId ?? null, features };
}
