import { type RuleOutcome, type Severity } from './validation-rules';

export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = { critical: 3.0, high: 2.0, medium: 1.5, low: 1.0 };

export const QUALITY_LEVELS = ['excellent', 'good', 'fair', 'poor', 'critical'] as const;
export type QualityLevel = (typeof QUALITY_LEVELS)[number];

/** Lower bound of each level's score band: Excellent 90-100, Good 75-89, Fair 60-74, Poor 40-59, Critical 0-39. */
const LEVEL_FLOORS: readonly [QualityLevel, number][] = [
  ['excellent', 90],
  ['good', 75],
  ['fair', 60],
  ['poor', 40],
  ['critical', 0],
];

export function qualityLevel(score: number): QualityLevel {
  // Bands are whole numbers; a score between two (89.6) belongs to the band it rounds into.
  const rounded = Math.round(score);
  return LEVEL_FLOORS.find(([, floor]) => rounded >= floor)![0];
}

export interface QualityScore {
  /** 0-100, one decimal. */
  score: number;
  level: QualityLevel;
  applicable: number;
  passed: number;
  failed: number;
}

/**
 * The severity-weighted share of passed rules among the rules that apply. A connection no rule
 * applies to (nothing to judge) scores 100.
 */
export function scoreRuleOutcomes(outcomes: readonly Pick<RuleOutcome, 'severity' | 'applicable' | 'passed'>[]): QualityScore {
  const applicable = outcomes.filter((o) => o.applicable);
  const total = applicable.reduce((sum, o) => sum + SEVERITY_WEIGHTS[o.severity], 0);
  const earned = applicable.filter((o) => o.passed).reduce((sum, o) => sum + SEVERITY_WEIGHTS[o.severity], 0);
  const score = total === 0 ? 100 : Math.round((1000 * earned) / total) / 10;
  const passed = applicable.filter((o) => o.passed).length;
  return { score, level: qualityLevel(score), applicable: applicable.length, passed, failed: applicable.length - passed };
}
