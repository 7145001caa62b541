import { rolloutConfigProblems, thresholdProblems } from '../../domain/rollout';
import { judgeStep, type PlatformRequestTotals, rollbackCause, summarizeStep } from '../../domain/rollout-analysis';

const SUCCESS = { minSuccessRate: 0.9, maxErrorRate: 0.1, minSampleSize: 4, maxP95DurationMs: 5_000 };
const ROLLBACK = { maxErrorRate: 0.3, minSampleSize: 3 };
const NO_REQUESTS: PlatformRequestTotals = { requests: 0, failed: 0, seconds: 0 };
const measure = (outcomes: { failed: boolean; durationMs: number }[], requests = NO_REQUESTS) =>
  summarizeStep(outcomes, requests, { at: '2026-01-01T00:00:00Z', stepIndex: 0, connectionsExposed: 3 });
const ok = (ms = 100) => ({ failed: false, durationMs: ms });
const bad = { failed: true, durationMs: 100 };

describe('rollout step analysis', () => {
  it('summarises outcomes: rates and nearest-rank percentiles', () => {
    const m = measure([ok(100), ok(200), ok(300), bad]);
    expect(m).toMatchObject({ samples: 4, succeeded: 3, failed: 1, successRate: 0.75, errorRate: 0.25, p50DurationMs: 100, p95DurationMs: 300 });
    expect(measure([])).toMatchObject({ samples: 0, successRate: null, errorRate: null, p95DurationMs: null });
  });

  it('passes, fails or is inconclusive (too few samples)', () => {
    expect(judgeStep(measure([ok(), ok(), ok(), ok()]), SUCCESS).verdict).toBe('pass');
    expect(judgeStep(measure([ok(), ok(), ok()]), SUCCESS)).toMatchObject({ verdict: 'inconclusive', reasons: ['3 of 4 syncs needed to judge the step'] });
    expect(judgeStep(measure([ok(), ok(), ok(), bad]), SUCCESS)).toMatchObject({ verdict: 'fail' });
    expect(judgeStep(measure([ok(), ok(), ok(), ok(9_000)]), SUCCESS).reasons[0]).toContain('p95 sync duration 9000 ms');
  });

  it('rolls back once the rollback criteria are breached with enough samples', () => {
    expect(rollbackCause(measure([bad, bad]), ROLLBACK)).toBeNull();
    expect(rollbackCause(measure([bad, bad, ok()]), ROLLBACK)).toContain('error rate 66.7% above the rollback limit 30%');
    expect(rollbackCause(measure([bad, ok(), ok(), ok()]), ROLLBACK)).toBeNull();
  });

  it('measures the platform requests the workers recorded, and judges their mean response time once enough were made', () => {
    const m = measure([ok(), ok(), ok(), ok()], { requests: 8, failed: 2, seconds: 4 });
    expect(m).toMatchObject({ platformRequests: 8, platformRequestErrorRate: 0.25, meanPlatformResponseMs: 500 });
    expect(measure([])).toMatchObject({ platformRequests: 0, platformRequestErrorRate: null, meanPlatformResponseMs: null });

    const slowPass = { ...SUCCESS, maxMeanResponseMs: 400 };
    expect(judgeStep(m, slowPass)).toMatchObject({ verdict: 'fail', reasons: ['mean platform response time 500 ms above 400 ms'] });
    expect(judgeStep(m, { ...SUCCESS, maxMeanResponseMs: 600 }).verdict).toBe('pass');
    // Requests, not syncs, decide: a slowing platform rolls back before enough syncs have closed.
    const slowRollback = { ...ROLLBACK, maxMeanResponseMs: 400 };
    expect(rollbackCause(measure([], { requests: 3, failed: 0, seconds: 3 }), slowRollback)).toBe(
      'mean platform response time 1000 ms above the rollback limit 400 ms (3 requests at step 1)',
    );
    expect(rollbackCause(measure([], { requests: 2, failed: 0, seconds: 3 }), slowRollback)).toBeNull();
    expect(thresholdProblems({ success: SUCCESS, rollback: { ...ROLLBACK, maxMeanResponseMs: 0 } })[0]).toMatchObject({
      field: 'rollback.max_mean_response_ms',
    });
  });

  it('refuses thresholds that do not hold together', () => {
    expect(thresholdProblems({ success: SUCCESS, rollback: ROLLBACK })).toEqual([]);
    expect(thresholdProblems({ success: { ...SUCCESS, minSuccessRate: 1.5 }, rollback: ROLLBACK })[0]).toMatchObject({ field: 'success.min_success_rate' });
    expect(thresholdProblems({ success: { ...SUCCESS, minSuccessRate: 0.5, maxErrorRate: 0.1 }, rollback: ROLLBACK })[0]!.message).toContain('contradict');
    expect(thresholdProblems({ success: SUCCESS, rollback: { ...ROLLBACK, maxErrorRate: 0.05 } })[0]).toMatchObject({ field: 'rollback.max_error_rate' });
    expect(thresholdProblems({ success: { ...SUCCESS, minSampleSize: 0 }, rollback: ROLLBACK })[0]).toMatchObject({ field: 'success.min_sample_size' });
  });

  it('checks each strategy’s steps', () => {
    const base = { success: SUCCESS, rollback: ROLLBACK, advance: 'automatic' as const, analysisIntervalSeconds: 1, maxInconclusiveSeconds: 5 };
    expect(
      rolloutConfigProblems({
        ...base,
        strategy: 'percentage',
        steps: [
          { percentage: 50, minDurationSeconds: 1 },
          { percentage: 20, minDurationSeconds: 1 },
        ],
      })[0]!.message,
    ).toContain('steps must grow');
    expect(rolloutConfigProblems({ ...base, strategy: 'user', steps: [{ groups: ['beta'], minDurationSeconds: 1 }] })[0]!.message).toBe('unknown group beta');
    expect(
      rolloutConfigProblems({
        ...base,
        strategy: 'ab_test',
        variants: [{ name: 'a', weight: 1, source: 'live' }],
        steps: [{ percentage: 10, minDurationSeconds: 1 }],
      })[0]!.field,
    ).toBe('variants');
    expect(rolloutConfigProblems({ ...base, strategy: 'feature_flag', steps: [{ enabled: true, minDurationSeconds: 1 }] })).toEqual([]);
  });
});
