import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Hono } from 'hono';
import type { z } from 'zod';
import type { RolloutActor } from '../../domain/rollout';
import { activeRolloutDecision, findRollout, insertRollout, listRollouts } from '../../db/repositories/rollouts';
import type { RolloutRow } from '../../db/schema';
import { type RollbackCriteria, type RolloutConfig, type RolloutStage, rolloutConfigProblems, type SuccessCriteria } from '../../domain/rollout';
import { ApiError, notFound } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import {
  CreateRolloutBody,
  EvaluateQuery,
  ListRolloutsQuery,
  RollbackBody,
  type RollbackCriteriaBody,
  RolloutEvaluationResponse,
  RolloutListResponse,
  RolloutSignalledResponse,
  RolloutStartedResponse,
  RolloutStatusResponse,
  RolloutView,
  type SuccessCriteriaBody,
  ThresholdsBody,
  ThresholdsResponse,
} from './rollout-schemas';
import {
  liveRolloutStatus,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rollBackRollout,
  startRolloutWorkflow,
  updateRolloutThresholds,
} from '../../workflow-clients/rollout';
import { routeDocs } from '../openapi/route-docs';

const describeRoute = routeDocs('Rollouts');
const NOT_FOUND = { 404: 'No rollout of the org has this id' };
const NOT_ACTIVE = { ...NOT_FOUND, 409: 'The rollout is not active: created, completed, rolled back or blocked (rollout_not_active)' };
const signal = (summary: string) => describeRoute({ summary, responses: { 202: RolloutSignalledResponse }, errors: NOT_ACTIVE });
const docs = {
  create: describeRoute({ summary: 'Creates a mock-to-live rollout (not started)', responses: { 201: RolloutView } }),
  list: describeRoute({ summary: "The org's rollouts, newest first", responses: { 200: RolloutListResponse } }),
  start: describeRoute({
    summary: "Starts the rollout's workflow",
    responses: { 202: RolloutStartedResponse },
    errors: { ...NOT_FOUND, 409: 'The rollout has already started (rollout_already_started)' },
  }),
  pause: signal('Pauses the rollout; the exposure stays as it is'),
  resume: signal('Resumes the rollout; also approves a step awaiting approval'),
  promote: signal('Promotes the rollout: skips to 100 % and completes'),
  rollback: signal('Rolls the rollout back: nobody is exposed any more (the kill switch)'),
  thresholds: describeRoute({
    summary: "Changes the rollout's criteria, validated by its workflow before it accepts them",
    responses: { 200: ThresholdsResponse },
    errors: { ...NOT_ACTIVE, 400: 'The workflow refused the criteria (invalid_thresholds)' },
  }),
  status: describeRoute({
    summary: 'Stage, step, current percentage, criteria, metrics history, events, recommendations, rollback cause',
    responses: { 200: RolloutStatusResponse },
    errors: NOT_FOUND,
  }),
  evaluate: describeRoute({
    summary: 'Which rollouts apply to a user and platform, and the data source they get',
    responses: { 200: RolloutEvaluationResponse },
  }),
};

const ACTIVE: RolloutStage[] = ['validating', 'running', 'awaiting_approval', 'paused'];

type SuccessCriteriaInput = z.infer<typeof SuccessCriteriaBody>;
type RollbackCriteriaInput = z.infer<typeof RollbackCriteriaBody>;

/** The API's criteria in the domain's terms: whole bodies (create) and partial ones (threshold updates). */
function successCriteriaFrom(s: SuccessCriteriaInput): SuccessCriteria;
function successCriteriaFrom(s: Partial<SuccessCriteriaInput>): Partial<SuccessCriteria>;
function successCriteriaFrom(s: Partial<SuccessCriteriaInput>): Partial<SuccessCriteria> {
  return {
    minSuccessRate: s.min_success_rate,
    maxErrorRate: s.max_error_rate,
    minSampleSize: s.min_sample_size,
    maxP95DurationMs: s.max_p95_duration_ms,
    maxMeanResponseMs: s.max_mean_response_ms,
  };
}

function rollbackCriteriaFrom(r: RollbackCriteriaInput): RollbackCriteria;
function rollbackCriteriaFrom(r: Partial<RollbackCriteriaInput>): Partial<RollbackCriteria>;
function rollbackCriteriaFrom(r: Partial<RollbackCriteriaInput>): Partial<RollbackCriteria> {
  return {
    maxErrorRate: r.max_error_rate,
    minSampleSize: r.min_sample_size,
    maxP95DurationMs: r.max_p95_duration_ms,
    maxMeanResponseMs: r.max_mean_response_ms,
  };
}

function toConfig(body: z.infer<typeof CreateRolloutBody>): RolloutConfig {
  return {
    strategy: body.strategy,
    platforms: body.platforms,
    groups: body.groups,
    variants: body.variants,
    steps: body.steps.map((s) => ({
      percentage: s.percentage,
      users: s.users,
      groups: s.groups,
      platforms: s.platforms,
      enabled: s.enabled,
      minDurationSeconds: s.min_duration_seconds,
    })),
    success: successCriteriaFrom(body.success_criteria),
    rollback: rollbackCriteriaFrom(body.rollback_criteria),
    advance: body.advance,
    analysisIntervalSeconds: body.analysis_interval_seconds,
    maxInconclusiveSeconds: body.max_inconclusive_seconds,
  };
}

function presentRollout(r: RolloutRow) {
  return {
    id: r.id,
    name: r.name,
    strategy: r.strategy,
    stage: r.stage,
    step_index: r.step_index,
    step_count: r.config.steps.length,
    current_percentage: r.current_percentage,
    rollback_cause: r.rollback_cause,
    workflow_id: r.workflow_id,
    config: r.config,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** Gradual mock-to-live rollouts: create, start, control (signals and a threshold update), status, and evaluation. */
export function rolloutRoutes(deps: AppDeps) {
  const actorOf = (c: { get(key: 'principal'): { userId: string; role: string }; get(key: 'requestId'): string }): RolloutActor => ({
    actorId: c.get('principal').userId,
    actorRole: c.get('principal').role,
    requestId: c.get('requestId'),
  });
  async function loadOwn(orgId: string, id: string): Promise<RolloutRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await findRollout(deps.db, orgId, id) : undefined;
    if (!row) throw notFound('Rollout');
    return row;
  }
  async function loadActive(orgId: string, id: string): Promise<RolloutRow> {
    const row = await loadOwn(orgId, id);
    if (!ACTIVE.includes(row.stage)) throw new ApiError(409, 'rollout_not_active', `The rollout is ${row.stage}`);
    return row;
  }

  return new Hono<AppEnv>()
    .post('/rollouts', docs.create, validate('json', CreateRolloutBody), async (c) => {
      const principal = c.get('principal');
      const config = toConfig(c.req.valid('json'));
      const problems = rolloutConfigProblems(config);
      if (problems.length > 0) throw new ApiError(400, 'validation_error', 'Invalid rollout', problems);
      const row = await insertRollout(deps.db, {
        id: randomUUID(),
        orgId: principal.orgId,
        name: c.req.valid('json').name,
        config,
        createdBy: principal.userId,
      });
      await c.get('audit')({
        action: 'rollout.created',
        targetType: 'rollout',
        targetId: row.id,
        outcome: 'success',
        details: { strategy: config.strategy, steps: config.steps.length },
      });
      return c.json(presentRollout(row), 201);
    })
    .get('/rollouts', docs.list, validate('query', ListRolloutsQuery), async (c) => {
      const { limit, offset } = c.req.valid('query');
      const rows = await listRollouts(deps.db, c.get('principal').orgId, { limit, offset });
      return c.json({ rollouts: rows.map(presentRollout), limit, offset });
    })
    .post('/rollouts/:id/start', docs.start, async (c) => {
      const row = await loadOwn(c.get('principal').orgId, c.req.param('id'));
      if (row.stage !== 'created') throw new ApiError(409, 'rollout_already_started', `The rollout is ${row.stage}`);
      const handle = await startRolloutWorkflow(deps.temporal, deps.taskQueue, row, actorOf(c));
      return c.json({ status: 'validating', workflow_id: handle.workflowId, run_id: handle.firstExecutionRunId }, 202);
    })
    .post('/rollouts/:id/pause', docs.pause, async (c) => {
      const row = await loadActive(c.get('principal').orgId, c.req.param('id'));
      await pauseRollout(deps.temporal, row, actorOf(c));
      return c.json({ rollout_id: row.id, requested: 'pause' }, 202);
    })
    .post('/rollouts/:id/resume', docs.resume, async (c) => {
      const row = await loadActive(c.get('principal').orgId, c.req.param('id'));
      await resumeRollout(deps.temporal, row, actorOf(c));
      return c.json({ rollout_id: row.id, requested: 'resume' }, 202);
    })
    .post('/rollouts/:id/promote', docs.promote, async (c) => {
      const row = await loadActive(c.get('principal').orgId, c.req.param('id'));
      await promoteRollout(deps.temporal, row, actorOf(c));
      return c.json({ rollout_id: row.id, requested: 'promote' }, 202);
    })
    .post('/rollouts/:id/rollback', docs.rollback, validate('json', RollbackBody), async (c) => {
      const row = await loadActive(c.get('principal').orgId, c.req.param('id'));
      await rollBackRollout(deps.temporal, row, actorOf(c), c.req.valid('json').reason);
      return c.json({ rollout_id: row.id, requested: 'rollback' }, 202);
    })
    .put('/rollouts/:id/thresholds', docs.thresholds, validate('json', ThresholdsBody), async (c) => {
      const row = await loadActive(c.get('principal').orgId, c.req.param('id'));
      const body = c.req.valid('json');
      const s = body.success_criteria ?? {};
      const r = body.rollback_criteria ?? {};
      const drop = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
      try {
        const criteria = await updateRolloutThresholds(deps.temporal, row, {
          success: drop(successCriteriaFrom(s)),
          rollback: drop(rollbackCriteriaFrom(r)),
          actor: actorOf(c),
        });
        return c.json({ rollout_id: row.id, success_criteria: criteria.success, rollback_criteria: criteria.rollback });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw new ApiError(400, 'invalid_thresholds', err.cause?.message ?? 'The thresholds were rejected');
        throw err;
      }
    })
    .get('/rollouts/:id/status', docs.status, async (c) => {
      const row = await loadOwn(c.get('principal').orgId, c.req.param('id'));
      // A running rollout answers from its workflow (the source of truth); a closed one from its last stored state.
      const live = ACTIVE.includes(row.stage) ? await liveRolloutStatus(deps.temporal, row) : null;
      const state = live ?? row.state;
      return c.json({
        rollout_id: row.id,
        name: row.name,
        strategy: row.strategy,
        stage: state?.stage ?? row.stage,
        step_index: state?.stepIndex ?? row.step_index,
        step_count: row.config.steps.length,
        current_percentage: state ? (state.stage === 'completed' ? 100 : state.currentPercentage) : row.current_percentage,
        step_started_at: state?.stepStartedAt ?? null,
        criteria: state?.criteria ?? { success: row.config.success, rollback: row.config.rollback },
        metrics_history: state?.metricsHistory ?? [],
        events: state?.events ?? [],
        recommendations: state?.recommendations ?? [],
        rollback_cause: state?.rollbackCause ?? null,
        blocked_reasons: state?.blockedReasons ?? [],
      });
    })
    .get('/evaluate', docs.evaluate, validate('query', EvaluateQuery), async (c) => {
      const { user_id, platform } = c.req.valid('query');
      const decision = await activeRolloutDecision(deps.db, { orgId: c.get('principal').orgId, userId: user_id, platform });
      return c.json({
        user_id,
        platform,
        source: decision.source,
        rollout_id: decision.rolloutId,
        features: decision.features.map((f) => ({
          rollout_id: f.rolloutId,
          name: f.name,
          strategy: f.strategy,
          stage: f.stage,
          enabled: f.exposed,
          variant: f.variant,
          source: f.source,
        })),
      });
    });
}
