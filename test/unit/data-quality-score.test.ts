import { DEFAULT_VALIDATION_REPORT_GATE_POLICY, decideValidationReportGate } from '../../domain/validation-report-gate';
import { qualityLevel, scoreRuleOutcomes, SEVERITY_WEIGHTS } from '../../domain/data-quality-score';
import { completeness, consistencyScore, freshnessScore, syncSuccessRate } from '../../domain/validation-metrics-analysis';
import { recommendationsFor } from '../../domain/validation-recommendations';
import { type RuleOutcome, VALIDATION_RULE_IDS, VALIDATION_RULES, type ValidationRuleId } from '../../domain/validation-rules';

function outcomes(failed: ValidationRuleId[], notApplicable: ValidationRuleId[] = []): RuleOutcome[] {
  return VALIDATION_RULE_IDS.map((ruleId) => ({
    ruleId,
    severity: VALIDATION_RULES[ruleId].severity,
    applicable: !notApplicable.includes(ruleId),
    passed: notApplicable.includes(ruleId) || !failed.includes(ruleId),
    violations: failed.includes(ruleId) ? 3 : 0,
    checked: 100,
    message: failed.includes(ruleId) ? '3 rows' : 'ok',
    samples: [],
  }));
}

describe('data quality scoring', () => {
  it('weights the rules by severity as specified', () => {
    expect(SEVERITY_WEIGHTS).toEqual({ critical: 3, high: 2, medium: 1.5, low: 1 });
    const severities = Object.fromEntries(VALIDATION_RULE_IDS.map((id) => [id, VALIDATION_RULES[id].severity]));
    expect(severities).toEqual({
      daily_freshness: 'high',
      weekly_availability: 'medium',
      required_fields: 'critical',
      volume_consistency: 'medium',
      metric_relationships: 'high',
      value_ranges: 'medium',
      cross_platform_consistency: 'medium',
      temporal_consistency: 'medium',
      meta_account_structure: 'medium',
      google_ads_quality_score: 'low',
    });
  });

  it('scores the weighted share of passed rules among those that apply', () => {
    // All ten apply: 3 + 2·2 + 6·1.5 + 1 = 17.
    expect(scoreRuleOutcomes(outcomes([]))).toEqual({ score: 100, level: 'excellent', applicable: 10, passed: 10, failed: 0 });
    expect(scoreRuleOutcomes(outcomes(['required_fields'])).score).toBe(Math.round((1000 * 14) / 17) / 10);
    expect(scoreRuleOutcomes(outcomes(['google_ads_quality_score'])).score).toBe(Math.round((1000 * 16) / 17) / 10);
    // Rules that do not apply leave the denominator: Meta without quality score and cross-platform: 17 - 1 - 1.5.
    const meta = scoreRuleOutcomes(outcomes(['metric_relationships'], ['google_ads_quality_score', 'cross_platform_consistency']));
    expect(meta).toMatchObject({ score: Math.round((1000 * 12.5) / 14.5) / 10, applicable: 8, failed: 1 });
    expect(scoreRuleOutcomes(outcomes(['required_fields', 'daily_freshness', 'metric_relationships'])).level).toBe('poor');
    expect(scoreRuleOutcomes(outcomes([...VALIDATION_RULE_IDS]))).toMatchObject({ score: 0, level: 'critical' });
    expect(scoreRuleOutcomes(outcomes([], [...VALIDATION_RULE_IDS]))).toMatchObject({ score: 100, applicable: 0 });
  });

  it('maps scores to levels at the band edges', () => {
    const cases: [number, string][] = [
      [100, 'excellent'],
      [90, 'excellent'],
      [89.6, 'excellent'],
      [89.4, 'good'],
      [75, 'good'],
      [74, 'fair'],
      [60, 'fair'],
      [59, 'poor'],
      [40, 'poor'],
      [39, 'critical'],
      [0, 'critical'],
    ];
    expect(cases.map(([score]) => [score, qualityLevel(score)])).toEqual(cases);
  });

  it('recommends per failed rule, most severe first, with platform notes', () => {
    const recs = recommendationsFor('google_ads', outcomes(['google_ads_quality_score', 'required_fields', 'value_ranges']));
    expect(recs.map((r) => [r.ruleId, r.priority])).toEqual([
      ['required_fields', 1],
      ['value_ranges', 3],
      ['google_ads_quality_score', 4],
    ]);
    expect(recs[1]!.actions[0]).toMatch(/micros/);
    expect(recs[0]!.title).toMatch(/^Required fields present failed on Google Ads/);
    expect(recommendationsFor('meta_business', outcomes([]))).toEqual([]);
    // Another platform, another note for the same rule.
    expect(recommendationsFor('meta_business', outcomes(['daily_freshness']))[0]!.actions[0]).toMatch(/48 h/);
    expect(recommendationsFor('hubspot', outcomes(['daily_freshness']))[0]!.actions[0]).toMatch(/Run a sync now/);
  });

  it('computes the metrics analysis scores', () => {
    expect([
      freshnessScore('2026-11-01', '2026-11-02'),
      freshnessScore('2026-11-02', '2026-11-02'),
      freshnessScore('2026-10-30', '2026-11-02'),
      freshnessScore('2026-01-01', '2026-11-02'),
      freshnessScore(null, '2026-11-02'),
    ]).toEqual([100, 100, 70, 0, 0]);
    expect(
      completeness({ entity_name: { present: 90, expected: 100 }, spend: { present: 100, expected: 100 }, currency: { present: 0, expected: 0 } }),
    ).toEqual({ fields: { entity_name: 90, spend: 100 }, overall: 95 });
    expect(completeness({})).toEqual({ fields: {}, overall: 100 });
    expect(consistencyScore({ rows: 1000, violatingRows: 10, anomalousDays: 2 })).toBe(95);
    expect(consistencyScore({ rows: 0, violatingRows: 0, anomalousDays: 0 })).toBe(100);
    expect(syncSuccessRate({ completed: 3, failed: 1, cancelled: 0 })).toBe(75);
    expect(syncSuccessRate({ completed: 0, failed: 0, cancelled: 0 })).toBeNull();
  });

  it('the quality gate judges the latest report: missing, too old, critical failure, low score', () => {
    const now = new Date('2026-11-02T12:00:00Z');
    const report = { reportId: 'r1', score: 92, validatedAt: '2026-11-02T05:00:00Z', criticalFailed: false };
    const policy = DEFAULT_VALIDATION_REPORT_GATE_POLICY;
    expect(decideValidationReportGate(report, policy, now)).toEqual({ pass: true, score: 92, reportId: 'r1' });
    expect(decideValidationReportGate(null, policy, now)).toMatchObject({ pass: false, reason: 'no_report' });
    expect(decideValidationReportGate({ ...report, validatedAt: '2026-10-30T05:00:00Z' }, policy, now)).toMatchObject({
      pass: false,
      reason: 'report_too_old',
    });
    expect(decideValidationReportGate({ ...report, criticalFailed: true }, policy, now)).toMatchObject({ pass: false, reason: 'critical_rule_failed' });
    expect(decideValidationReportGate({ ...report, criticalFailed: true }, { ...policy, blockOnCriticalFailure: false }, now)).toMatchObject({ pass: true });
    expect(decideValidationReportGate({ ...report, score: 70 }, policy, now)).toMatchObject({ pass: false, reason: 'score_below_minimum', score: 70 });
  });
});
