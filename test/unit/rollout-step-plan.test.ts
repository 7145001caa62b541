import type { RolloutConfig, StepMeasurement } from '../../domain/rollout';
import { summarizeStep } from '../../domain/rollout-analysis';
import { percentageRollout } from '../setup/fixtures';
import { planMeasuredStep, rolloutWakeUpMs, stepWindow, type StepMeasured } from '../../domain/rollout-step-plan';

const STARTED_AT = '2026-03-01T12:00:00.000Z';
const after = (seconds: number) => Date.parse(STARTED_AT) + seconds * 1000;

const CONFIG: RolloutConfig = percentageRollout(
  [
    [25, 60],
    [100, 120],
  ],
  { success: { minSuccessRate: 0.9, maxErrorRate: 0.1, minSampleSize: 4 }, analysisIntervalSeconds: 30, maxInconclusiveSeconds: 300 },
);

const NO_REQUESTS = { requests: 0, failed: 0, seconds: 0 };
const syncs = (count: number, failed: boolean) => Array.from({ length: count }, () => ({ failed, durationMs: 100 }));
const measure = (succeeded: number, failed: number, stepIndex = 0): StepMeasurement =>
  summarizeStep([...syncs(succeeded, false), ...syncs(failed, true)], NO_REQUESTS, { at: STARTED_AT, stepIndex, connectionsExposed: 2 });

const measured = (overrides: Partial<StepMeasured> & { measurement: StepMeasurement; nowMs: number }): StepMeasured => ({
  config: CONFIG,
  criteria: { success: CONFIG.success, rollback: CONFIG.rollback },
  stepIndex: 0,
  stepStartedAt: STARTED_AT,
  ...overrides,
});

describe('rolloutWakeUpMs', () => {
  it('measures a running step every analysis interval; other stages wait for a signal only', () => {
    expect(rolloutWakeUpMs('running', CONFIG)).toBe(30_000);
    for (const stage of ['paused', 'awaiting_approval', 'validating'] as const) expect(rolloutWakeUpMs(stage, CONFIG)).toBeUndefined();
  });
});

describe('stepWindow', () => {
  it("passes the minimum duration at exactly the step's minimum, and the inconclusive allowance after it", () => {
    expect(stepWindow(CONFIG, 0, STARTED_AT, after(59.999))).toEqual({ elapsedMs: 59_999, minDurationPassed: false, inconclusiveExpired: false });
    expect(stepWindow(CONFIG, 0, STARTED_AT, after(60))).toEqual({ elapsedMs: 60_000, minDurationPassed: true, inconclusiveExpired: false });
    expect(stepWindow(CONFIG, 0, STARTED_AT, after(360))).toMatchObject({ minDurationPassed: true, inconclusiveExpired: true });
    // Each step has its own minimum.
    expect(stepWindow(CONFIG, 1, STARTED_AT, after(60)).minDurationPassed).toBe(false);
    expect(stepWindow(CONFIG, 1, STARTED_AT, after(419)).inconclusiveExpired).toBe(false);
    expect(stepWindow(CONFIG, 1, STARTED_AT, after(420)).inconclusiveExpired).toBe(true);
  });
});

describe('planMeasuredStep', () => {
  it('keeps measuring before the minimum duration, however healthy the step', () => {
    expect(planMeasuredStep(measured({ measurement: measure(10, 0), nowMs: after(30) }))).toEqual({
      analysis: { measurement: measure(10, 0), verdict: 'inconclusive', reasons: ['minimum duration not reached'] },
      decision: { kind: 'keep_measuring' },
    });
  });

  it('rolls back as soon as the rollback criteria are breached, before the minimum duration too', () => {
    const { analysis, decision } = planMeasuredStep(measured({ measurement: measure(1, 2), nowMs: after(1) }));
    expect(analysis).toMatchObject({ verdict: 'fail', reasons: [expect.stringMatching(/^error rate 66\.7% above the rollback limit 50%/)] });
    expect(decision).toEqual({ kind: 'roll_back', cause: `automatic rollback: ${analysis.reasons[0]}` });
    // Below the rollback sample size, one failure decides nothing.
    expect(planMeasuredStep(measured({ measurement: measure(0, 1), nowMs: after(1) })).decision).toEqual({ kind: 'keep_measuring' });
  });

  it('once the minimum duration has passed: advances an automatic rollout, waits for approval in a manual one, completes on the last step', () => {
    const manual = { ...CONFIG, advance: 'manual' as const };
    expect(planMeasuredStep(measured({ measurement: measure(4, 0), nowMs: after(60) }))).toMatchObject({
      analysis: { verdict: 'pass' },
      decision: { kind: 'start_next_step' },
    });
    expect(planMeasuredStep(measured({ config: manual, measurement: measure(4, 0), nowMs: after(60) })).decision).toEqual({ kind: 'await_approval' });
    expect(planMeasuredStep(measured({ stepIndex: 1, measurement: measure(4, 0, 1), nowMs: after(120) })).decision).toEqual({ kind: 'complete' });
    const lastManual = planMeasuredStep(measured({ stepIndex: 1, config: manual, measurement: measure(4, 0, 1), nowMs: after(120) }));
    expect(lastManual.decision).toEqual({ kind: 'complete' });
  });

  it('rolls back a judged step that fails the success criteria, naming the step', () => {
    // 1 failure in 5: 20 % errors, under the rollback limit but over the success limit.
    const { analysis, decision } = planMeasuredStep(measured({ stepIndex: 1, measurement: measure(4, 1, 1), nowMs: after(120) }));
    expect(analysis.verdict).toBe('fail');
    expect(decision).toEqual({ kind: 'roll_back', cause: `automatic rollback: step 2 failed: ${analysis.reasons.join('; ')}` });
    expect(decision).toMatchObject({ cause: expect.stringContaining('error rate 20% above 10%') });
  });

  it('waits for samples while inconclusive, then pauses once the inconclusive allowance is spent', () => {
    expect(planMeasuredStep(measured({ measurement: measure(3, 0), nowMs: after(359) }))).toMatchObject({
      analysis: { verdict: 'inconclusive', reasons: ['3 of 4 syncs needed to judge the step'] },
      decision: { kind: 'keep_measuring' },
    });
    expect(planMeasuredStep(measured({ measurement: measure(3, 0), nowMs: after(360) })).decision).toEqual({ kind: 'pause' });
  });

  it('judges with the criteria in force, not those the rollout started with (a threshold update)', () => {
    const lowered = { success: { ...CONFIG.success, minSampleSize: 2 }, rollback: CONFIG.rollback };
    expect(planMeasuredStep(measured({ criteria: lowered, measurement: measure(2, 0), nowMs: after(60) })).decision).toEqual({ kind: 'start_next_step' });
    const strict = { success: CONFIG.success, rollback: { maxErrorRate: 0.1, minSampleSize: 2 } };
    expect(planMeasuredStep(measured({ criteria: strict, measurement: measure(4, 1), nowMs: after(1) })).decision).toMatchObject({ kind: 'roll_back' });
  });
});
