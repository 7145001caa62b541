import type { RollbackCriteria, RolloutConfig, RolloutStage, StepAnalysis, StepMeasurement, SuccessCriteria } from './rollout';
import { judgeStep, rollbackCause } from './rollout-analysis';

/**
 * The timing of a rollout's steps, pure: when rolloutWorkflow wakes on its own, and what it does with
 * a running step's measurement given how long the step has run.
 */

/**
 * How long the workflow waits for a signal before acting on its own: a running step is measured every
 * `analysisIntervalSeconds`; in any other stage (paused, awaiting approval) only a signal moves it (undefined).
 */
export function rolloutWakeUpMs(stage: RolloutStage, config: Pick<RolloutConfig, 'analysisIntervalSeconds'>): number | undefined {
  return stage === 'running' ? config.analysisIntervalSeconds * 1000 : undefined;
}

/** Where a running step stands in time. */
export interface StepWindow {
  elapsedMs: number;
  /** The step has run its minimum duration: it may be judged. */
  minDurationPassed: boolean;
  /** It has also run `maxInconclusiveSeconds` past it: an inconclusive verdict pauses the rollout. */
  inconclusiveExpired: boolean;
}

export function stepWindow(
  config: Pick<RolloutConfig, 'steps' | 'maxInconclusiveSeconds'>,
  stepIndex: number,
  stepStartedAt: string,
  nowMs: number,
): StepWindow {
  const elapsedMs = nowMs - Date.parse(stepStartedAt);
  const minMs = config.steps[stepIndex]!.minDurationSeconds * 1000;
  return { elapsedMs, minDurationPassed: elapsedMs >= minMs, inconclusiveExpired: elapsedMs >= minMs + config.maxInconclusiveSeconds * 1000 };
}

/** What the workflow does after measuring a running step. */
export type StepDecision =
  /** The rollback criteria are breached (at any time), or the step failed once judged. `cause` is recorded as the rollback cause. */
  | { kind: 'roll_back'; cause: string }
  /** Measure again at the next wake-up: the minimum duration has not passed, or the verdict is inconclusive and time remains. */
  | { kind: 'keep_measuring' }
  /** Inconclusive for longer than `maxInconclusiveSeconds` past the minimum duration. */
  | { kind: 'pause' }
  /** The step passed: the last step completes the rollout, a manual rollout waits for approval, an automatic one starts the next step. */
  | { kind: 'complete' | 'await_approval' | 'start_next_step' };

export interface StepMeasured {
  config: Pick<RolloutConfig, 'steps' | 'maxInconclusiveSeconds' | 'advance'>;
  criteria: { success: SuccessCriteria; rollback: RollbackCriteria };
  stepIndex: number;
  stepStartedAt: string;
  measurement: StepMeasurement;
  nowMs: number;
}

/** The analysis recorded for a measurement of a running step, and what follows from it. */
export function planMeasuredStep(input: StepMeasured): { analysis: StepAnalysis; decision: StepDecision } {
  const { config, criteria, stepIndex, measurement } = input;
  const window = stepWindow(config, stepIndex, input.stepStartedAt, input.nowMs);
  const cause = rollbackCause(measurement, criteria.rollback);
  if (cause) {
    return { analysis: { measurement, verdict: 'fail', reasons: [cause] }, decision: { kind: 'roll_back', cause: `automatic rollback: ${cause}` } };
  }
  if (!window.minDurationPassed) {
    return { analysis: { measurement, verdict: 'inconclusive', reasons: ['minimum duration not reached'] }, decision: { kind: 'keep_measuring' } };
  }

  const analysis = judgeStep(measurement, criteria.success);
  if (analysis.verdict === 'fail') {
    return { analysis, decision: { kind: 'roll_back', cause: `automatic rollback: step ${stepIndex + 1} failed: ${analysis.reasons.join('; ')}` } };
  }
  if (analysis.verdict === 'pass') {
    const kind = stepIndex === config.steps.length - 1 ? 'complete' : config.advance === 'manual' ? 'await_approval' : 'start_next_step';
    return { analysis, decision: { kind } };
  }
  return { analysis, decision: { kind: window.inconclusiveExpired ? 'pause' : 'keep_measuring' } };
}
