import type { RollbackCriteria, StepAnalysis, StepMeasurement, SuccessCriteria } from './rollout';

/** One closed sync of an exposed connection, as the step's analysis sees it. */
export interface SyncOutcome {
  /** Failed, or a live attempt that fell back to mock. */
  failed: boolean;
  durationMs: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Live platform page requests over a step: those of the exposed connections' syncs, as their streams counted them. */
export interface PlatformRequestTotals {
  requests: number;
  failed: number;
  seconds: number;
}

export function summarizeStep(
  outcomes: SyncOutcome[],
  requests: PlatformRequestTotals,
  context: { at: string; stepIndex: number; connectionsExposed: number },
): StepMeasurement {
  const failed = outcomes.filter((o) => o.failed).length;
  const samples = outcomes.length;
  const durations = outcomes.map((o) => o.durationMs).sort((a, b) => a - b);
  return {
    ...context,
    samples,
    succeeded: samples - failed,
    failed,
    successRate: samples === 0 ? null : (samples - failed) / samples,
    errorRate: samples === 0 ? null : failed / samples,
    p50DurationMs: percentile(durations, 50),
    p95DurationMs: percentile(durations, 95),
    platformRequests: requests.requests,
    platformRequestErrorRate: requests.requests === 0 ? null : requests.failed / requests.requests,
    meanPlatformResponseMs: requests.requests === 0 ? null : Math.round((requests.seconds / requests.requests) * 1000),
  };
}

/** The mean platform response time when enough requests were measured and it exceeds `maxMs`, else null. */
function slowPlatformResponse(m: StepMeasurement, maxMs: number | undefined, minSampleSize: number): number | null {
  if (maxMs === undefined || m.meanPlatformResponseMs === null || m.platformRequests < minSampleSize) return null;
  return m.meanPlatformResponseMs > maxMs ? m.meanPlatformResponseMs : null;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** Why a step must roll back now (checked at every measurement, before its minimum duration too), or null. */
export function rollbackCause(m: StepMeasurement, criteria: RollbackCriteria): string | null {
  if (m.samples >= criteria.minSampleSize && m.errorRate !== null) {
    if (m.errorRate > criteria.maxErrorRate)
      return `error rate ${pct(m.errorRate)} above the rollback limit ${pct(criteria.maxErrorRate)} (${m.failed} of ${m.samples} syncs failed at step ${m.stepIndex + 1})`;
    if (criteria.maxP95DurationMs !== undefined && m.p95DurationMs !== null && m.p95DurationMs > criteria.maxP95DurationMs) {
      return `p95 sync duration ${m.p95DurationMs} ms above the rollback limit ${criteria.maxP95DurationMs} ms at step ${m.stepIndex + 1}`;
    }
  }
  // Judged on requests, not syncs: a platform slowing down shows before the syncs close.
  const slow = slowPlatformResponse(m, criteria.maxMeanResponseMs, criteria.minSampleSize);
  if (slow !== null)
    return `mean platform response time ${slow} ms above the rollback limit ${criteria.maxMeanResponseMs} ms (${m.platformRequests} requests at step ${m.stepIndex + 1})`;
  return null;
}

/** The verdict on a step that has run its minimum duration: pass advances, fail rolls back, inconclusive waits. */
export function judgeStep(m: StepMeasurement, criteria: SuccessCriteria): StepAnalysis {
  if (m.samples < criteria.minSampleSize || m.successRate === null || m.errorRate === null) {
    return { measurement: m, verdict: 'inconclusive', reasons: [`${m.samples} of ${criteria.minSampleSize} syncs needed to judge the step`] };
  }
  const reasons: string[] = [];
  if (m.successRate < criteria.minSuccessRate) reasons.push(`success rate ${pct(m.successRate)} below ${pct(criteria.minSuccessRate)}`);
  if (m.errorRate > criteria.maxErrorRate) reasons.push(`error rate ${pct(m.errorRate)} above ${pct(criteria.maxErrorRate)}`);
  if (criteria.maxP95DurationMs !== undefined && m.p95DurationMs !== null && m.p95DurationMs > criteria.maxP95DurationMs) {
    reasons.push(`p95 sync duration ${m.p95DurationMs} ms above ${criteria.maxP95DurationMs} ms`);
  }
  const slow = slowPlatformResponse(m, criteria.maxMeanResponseMs, criteria.minSampleSize);
  if (slow !== null) reasons.push(`mean platform response time ${slow} ms above ${criteria.maxMeanResponseMs} ms`);
  if (reasons.length > 0) return { measurement: m, verdict: 'fail', reasons };
  return { measurement: m, verdict: 'pass', reasons: [`${m.succeeded} of ${m.samples} syncs succeeded (${pct(m.successRate)})`] };
}

/** What an operator could do next, from the latest analysis. */
export function recommendationsFor(analysis: StepAnalysis | undefined, context: { stage: string; isLastStep: boolean }): string[] {
  if (context.stage === 'rolled_back') return ['Find the cause in the rollback event and the failed syncs, then create a new rollout'];
  if (context.stage === 'completed') return ['The rollout is complete: every connection in scope reads live data'];
  if (context.stage === 'awaiting_approval') return ['The step passed: promote to go on'];
  if (context.stage === 'paused') return ['Resume when ready, or roll back'];
  if (!analysis) return ['Waiting for the first measurement'];
  if (analysis.verdict === 'inconclusive') return ['Too few syncs to judge: run syncs of the exposed connections, or lower min_sample_size'];
  if (analysis.verdict === 'pass' && !context.isLastStep) return ['Healthy: the next step starts once the minimum duration has passed'];
  return [];
}
