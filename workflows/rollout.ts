import { condition, continueAsNew, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { RolloutActivities } from '../activities/rollout-activities';
import { RolloutFailureType } from '../domain/errors';
import type {
  RollbackCriteria,
  RollbackTrigger,
  RolloutActor,
  RolloutConfig,
  RolloutEvent,
  RolloutStage,
  RolloutState,
  SuccessCriteria,
} from '../domain/rollout';
import { stepPercentage, thresholdProblems } from '../domain/rollout';
import { recommendationsFor } from '../domain/rollout-analysis';
import { planMeasuredStep, rolloutWakeUpMs } from '../domain/rollout-step-plan';

export interface RolloutInput {
  rolloutId: string;
  orgId: string;
  config: RolloutConfig;
  startedBy: RolloutActor;
  /** Analysis loops per run before continuing as new (keeps each run's history short). */
  loopsPerRun?: number;
  /** Carried across continue-as-new. */
  carried?: { state: RolloutState; revision: number };
}

export interface RolloutStatus extends RolloutState {
  rolloutId: string;
  stepCount: number;
  revision: number;
}

export const pauseRolloutSignal = defineSignal<[{ actor: RolloutActor }]>('pause');
export const resumeRolloutSignal = defineSignal<[{ actor: RolloutActor }]>('resume');
/** `trigger` says who asked: absent or manual, a person; alert, a critical alert of the rollout's org. */
export const rollbackRolloutSignal = defineSignal<[{ reason: string; actor: RolloutActor; trigger?: RollbackTrigger }]>('rollback');
/** Skips the remaining steps: everyone in scope is exposed (100 %). */
export const promoteRolloutSignal = defineSignal<[{ actor: RolloutActor }]>('promote');
export interface ThresholdChange {
  success?: Partial<SuccessCriteria>;
  rollback?: Partial<RollbackCriteria>;
  actor: RolloutActor;
}
/** Changes the criteria; the validator rejects a change that does not hold together, before it is accepted. */
export const updateThresholdsUpdate = defineUpdate<{ success: SuccessCriteria; rollback: RollbackCriteria }, [ThresholdChange]>('updateThresholds');
export const rolloutStatusQuery = defineQuery<RolloutStatus>('status');

/** Reads and one small transaction: quick, retried until Postgres answers. */
const BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: [RolloutFailureType.RolloutNotFound] },
};
/** Validation reaches every platform in scope (3 s each at most). */
const VALIDATION: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [RolloutFailureType.RolloutNotFound],
  },
};

const bookkeeping = proxyActivities<RolloutActivities>(BOOKKEEPING);
const validation = proxyActivities<RolloutActivities>(VALIDATION);

const DEFAULT_LOOPS_PER_RUN = 500;
const KEPT_ANALYSES = 50;
const KEPT_EVENTS = 100;
const TERMINAL: RolloutStage[] = ['completed', 'rolled_back', 'blocked'];

type Control =
  | { kind: 'pause' | 'resume' | 'promote'; actor: RolloutActor }
  | { kind: 'rollback'; reason: string; actor: RolloutActor; trigger: RollbackTrigger }
  | { kind: 'thresholds'; change: ThresholdChange };

/**
 * One rollout from mock to live data: validates, then walks the steps. Each running step is measured
 * every `analysisIntervalSeconds` from the exposed connections' syncs; breaching the rollback
 * criteria rolls back at once, and after its minimum duration a step passes (advances, or waits for
 * approval), fails (rolls back) or is inconclusive (waits, up to `maxInconclusiveSeconds`, then
 * pauses). Signals pause, resume (also approves a step awaiting approval), roll back and promote.
 * Every transition is persisted (rollouts row) and audited by an activity.
 * Workflow id: rolloutWorkflowId(rolloutId); OrgId search attribute set by the starter.
 */
export async function rolloutWorkflow(input: RolloutInput): Promise<RolloutStatus> {
  const { config } = input;
  const state: RolloutState = input.carried?.state ?? {
    stage: 'validating',
    stepIndex: 0,
    stepStartedAt: null,
    currentPercentage: null,
    metricsHistory: [],
    events: [],
    recommendations: [],
    rollbackCause: null,
    blockedReasons: [],
    criteria: { success: { ...config.success }, rollback: { ...config.rollback } },
  };
  let revision = input.carried?.revision ?? 0;
  const controls: Control[] = [];
  const lastStep = config.steps.length - 1;

  const status = (): RolloutStatus => ({ ...state, rolloutId: input.rolloutId, stepCount: config.steps.length, revision });
  setHandler(rolloutStatusQuery, status);
  setHandler(pauseRolloutSignal, ({ actor }) => void controls.push({ kind: 'pause', actor }));
  setHandler(resumeRolloutSignal, ({ actor }) => void controls.push({ kind: 'resume', actor }));
  setHandler(promoteRolloutSignal, ({ actor }) => void controls.push({ kind: 'promote', actor }));
  setHandler(
    rollbackRolloutSignal,
    ({ reason, actor, trigger }) => void controls.push({ kind: 'rollback', reason, actor, trigger: trigger ?? { kind: 'manual' } }),
  );
  setHandler(
    updateThresholdsUpdate,
    (change) => {
      state.criteria = mergeCriteria(state.criteria, change);
      controls.push({ kind: 'thresholds', change });
      return state.criteria;
    },
    {
      validator: (change) => {
        if (TERMINAL.includes(state.stage)) throw new Error(`The rollout is ${state.stage}: its thresholds can no longer change`);
        const problems = thresholdProblems(mergeCriteria(state.criteria, change));
        if (problems.length > 0) throw new Error(`Invalid thresholds: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
      },
    },
  );

  const latestAnalysis = () => state.metricsHistory[state.metricsHistory.length - 1];
  /** Applies a transition, then persists the state and audits its events (one activity, idempotent per revision). */
  async function record(events: Omit<RolloutEvent, 'at'>[], actor: RolloutActor | null): Promise<void> {
    const at = new Date().toISOString();
    const stamped = events.map((e) => ({ ...e, at }));
    state.events = [...state.events, ...stamped].slice(-KEPT_EVENTS);
    state.currentPercentage =
      state.stage === 'completed' ? 100 : state.stage === 'rolled_back' || state.stage === 'blocked' ? 0 : stepPercentage(config, state.stepIndex);
    state.recommendations = recommendationsFor(latestAnalysis(), { stage: state.stage, isLastStep: state.stepIndex === lastStep });
    revision += 1;
    await bookkeeping.recordRolloutTransition({ rolloutId: input.rolloutId, revision, state: { ...state }, events: stamped, actor });
  }
  function startStep(index: number): void {
    state.stage = 'running';
    state.stepIndex = index;
    state.stepStartedAt = new Date().toISOString();
  }
  async function rollBack(cause: string, actor: RolloutActor | null, automatic: boolean, trigger?: RollbackTrigger): Promise<void> {
    state.stage = 'rolled_back';
    state.rollbackCause = cause;
    const triggeredBy =
      trigger?.kind === 'alert'
        ? { trigger: 'alert', alert_id: trigger.alertId, rule_id: trigger.ruleId }
        : trigger
          ? { trigger: 'manual' }
          : { trigger: 'analysis' };
    await record([{ type: 'rolled_back', message: cause, details: { automatic, step_index: state.stepIndex, ...triggeredBy } }], actor);
  }

  if (!input.carried) {
    await record([{ type: 'started', message: `Rollout started (${config.strategy}, ${config.steps.length} step(s))` }], input.startedBy);
    const checked = await validation.validateRolloutStart({ rolloutId: input.rolloutId });
    if (!checked.ok) {
      state.stage = 'blocked';
      state.blockedReasons = checked.reasons;
      await record(
        [
          {
            type: 'blocked',
            message: `Pre-rollout validation failed: ${checked.reasons.join('; ')}`,
            details: { reasons: checked.reasons, warnings: checked.warnings },
          },
        ],
        null,
      );
      return status();
    }
    startStep(0);
    await record(
      [{ type: 'step_started', message: `Step 1 of ${config.steps.length} started`, details: { warnings: checked.warnings, checks: checked.checks } }],
      null,
    );
  }

  const loops = input.loopsPerRun ?? DEFAULT_LOOPS_PER_RUN;
  for (let i = 0; i < loops && !workflowInfo().continueAsNewSuggested; i++) {
    if (TERMINAL.includes(state.stage)) return status();
    const wakeUpMs = rolloutWakeUpMs(state.stage, config);
    if (wakeUpMs === undefined) await condition(() => controls.length > 0);
    else await condition(() => controls.length > 0, wakeUpMs);

    // Controls first, in the order they arrived; a rollback or promotion ends the rollout.
    while (controls.length > 0 && !TERMINAL.includes(state.stage)) {
      const control = controls.shift()!;
      if (control.kind === 'rollback') {
        // An alert's rollback is automatic too, but decided outside the workflow: its cause says which alert.
        if (control.trigger.kind === 'alert') await rollBack(`alert rollback: ${control.reason}`, control.actor, true, control.trigger);
        else await rollBack(`manual rollback: ${control.reason}`, control.actor, false, control.trigger);
      } else if (control.kind === 'promote') {
        state.stage = 'completed';
        state.stepIndex = lastStep;
        await record([{ type: 'promoted', message: 'Promoted: every connection in scope is exposed (100%)' }], control.actor);
      } else if (control.kind === 'pause' && (state.stage === 'running' || state.stage === 'awaiting_approval')) {
        state.stage = 'paused';
        await record([{ type: 'paused', message: `Paused at step ${state.stepIndex + 1}` }], control.actor);
      } else if (control.kind === 'resume' && state.stage === 'paused') {
        // A resumed step is judged afresh: its clock and measurement window restart.
        startStep(state.stepIndex);
        await record([{ type: 'resumed', message: `Resumed at step ${state.stepIndex + 1}` }], control.actor);
      } else if (control.kind === 'resume' && state.stage === 'awaiting_approval') {
        startStep(state.stepIndex + 1);
        await record([{ type: 'step_approved', message: `Approved: step ${state.stepIndex + 1} of ${config.steps.length} started` }], control.actor);
      } else if (control.kind === 'thresholds') {
        await record(
          [{ type: 'thresholds_updated', message: 'Thresholds updated', details: { success: state.criteria.success, rollback: state.criteria.rollback } }],
          control.change.actor,
        );
      }
    }
    if (state.stage !== 'running') continue;

    const measurement = await bookkeeping.measureRolloutStep({ rolloutId: input.rolloutId, stepIndex: state.stepIndex, stepStartedAt: state.stepStartedAt! });
    const { analysis, decision } = planMeasuredStep({
      config,
      criteria: state.criteria,
      stepIndex: state.stepIndex,
      stepStartedAt: state.stepStartedAt!,
      measurement,
      nowMs: Date.now(),
    });
    state.metricsHistory = [...state.metricsHistory, analysis].slice(-KEPT_ANALYSES);

    // Built before a transition moves stepIndex.
    const passed = { type: 'step_passed', message: `Step ${state.stepIndex + 1} passed: ${analysis.reasons.join('; ')}`, details: { measurement } };
    switch (decision.kind) {
      case 'roll_back':
        await rollBack(decision.cause, null, true);
        break;
      case 'keep_measuring':
        await record([], null);
        break;
      case 'pause':
        state.stage = 'paused';
        await record([{ type: 'paused', message: `Paused: step ${state.stepIndex + 1} stayed inconclusive (${analysis.reasons.join('; ')})` }], null);
        break;
      case 'complete':
        state.stage = 'completed';
        await record([passed, { type: 'completed', message: 'Rollout completed' }], null);
        break;
      case 'await_approval':
        state.stage = 'awaiting_approval';
        await record([passed, { type: 'awaiting_approval', message: `Step ${state.stepIndex + 2} waits for approval` }], null);
        break;
      case 'start_next_step':
        startStep(state.stepIndex + 1);
        await record([passed, { type: 'step_started', message: `Step ${state.stepIndex + 1} of ${config.steps.length} started` }], null);
        break;
    }
  }
  if (TERMINAL.includes(state.stage)) return status();
  return continueAsNew<typeof rolloutWorkflow>({ ...input, carried: { state, revision } });
}

function mergeCriteria(current: { success: SuccessCriteria; rollback: RollbackCriteria }, change: ThresholdChange) {
  return { success: { ...current.success, ...change.success }, rollback: { ...current.rollback, ...change.rollback } };
}
