import type { PlatformId, StreamKind } from './platforms';

/** The data validation rules, in the order reports list them. Workflow-safe: plain data only. */
export const VALIDATION_RULE_IDS = [
  'daily_freshness',
  'weekly_availability',
  'required_fields',
  'volume_consistency',
  'metric_relationships',
  'value_ranges',
  'cross_platform_consistency',
  'temporal_consistency',
  'meta_account_structure',
  'google_ads_quality_score',
] as const;
export type ValidationRuleId = (typeof VALIDATION_RULE_IDS)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ValidationRuleInfo {
  id: ValidationRuleId;
  name: string;
  severity: Severity;
  /** Platforms the rule applies to; `all` when any platform's data can be judged by it. */
  platforms: 'all' | readonly PlatformId[];
  description: string;
}

/** Advertising platforms: their ad_performance rows are comparable across platforms. */
export const AD_PLATFORMS: readonly PlatformId[] = ['meta_business', 'google_ads', 'tiktok', 'linkedin_ads', 'x_ads'];

/** Streams with one row per entity per day: freshness, coverage and gaps are judged on these. */
export const DAILY_STREAMS: readonly StreamKind[] = ['ad_performance', 'email_performance', 'warehouse_rows'];

/** Streams whose daily row counts are a volume series (contacts are dated by creation, not activity). */
export const VOLUME_STREAMS: readonly StreamKind[] = ['ad_performance', 'email_performance', 'warehouse_rows', 'orders', 'payments'];

/** Streams that carry impressions and clicks: funnel relationships and metric levels apply. */
export const FUNNEL_STREAMS: readonly StreamKind[] = ['ad_performance', 'email_performance'];

/**
 * Robust anomaly detection over a trailing window: a day is anomalous when it is further from the
 * median of the previous `windowDays` days than `madMultiplier` scaled MADs, and also further than
 * `minRelativeDeviation` of that median (a weekly rhythm of ±25 % is normal), and for counts than
 * `poissonSigmas` √median (small counts are noisy). Days with fewer than `minHistoryDays` before them are not judged.
 */
export const ANOMALY_DETECTION = {
  windowDays: 28,
  minHistoryDays: 7,
  madMultiplier: 3.5,
  madScale: 1.4826,
  minRelativeDeviation: 0.5,
  poissonSigmas: 3,
} as const;

/** Cross-platform consistency: a connection's median daily CTR, CPC or CPM beyond this factor of its org's median disagrees. */
export const CROSS_PLATFORM = { windowDays: 28, minConnections: 3, maxFactor: 3 } as const;

export const VALIDATION_RULES: Readonly<Record<ValidationRuleId, ValidationRuleInfo>> = {
  daily_freshness: {
    id: 'daily_freshness',
    name: 'Daily data freshness',
    severity: 'high',
    platforms: 'all',
    description: 'Daily streams have data for yesterday or today; other streams were synced within the last 24 hours.',
  },
  weekly_availability: {
    id: 'weekly_availability',
    name: 'Weekly data availability',
    severity: 'medium',
    platforms: 'all',
    description: 'Every daily stream has rows for each of the last 7 complete days.',
  },
  required_fields: {
    id: 'required_fields',
    name: 'Required fields present',
    severity: 'critical',
    platforms: 'all',
    description: "Each row carries the fields its platform and stream must always report (e.g. an ad's name, impressions, clicks, spend and currency).",
  },
  volume_consistency: {
    id: 'volume_consistency',
    name: 'Data volume consistency',
    severity: 'medium',
    platforms: 'all',
    description: 'Daily row counts stay within a robust band (median ± 3.5 scaled MAD of the previous 28 days, at least ±50 %); anomalous days are listed.',
  },
  metric_relationships: {
    id: 'metric_relationships',
    name: 'Metric relationships',
    severity: 'high',
    platforms: 'all',
    description:
      'clicks ≤ impressions, conversions ≤ clicks, no spend without impressions, and reported CTR, CPC and CPM agree with clicks, impressions and spend.',
  },
  value_ranges: {
    id: 'value_ranges',
    name: 'Value ranges',
    severity: 'medium',
    platforms: 'all',
    description: 'No negative metrics; CPC, CPM and per-row revenue within platform-specific bounds.',
  },
  cross_platform_consistency: {
    id: 'cross_platform_consistency',
    name: 'Cross-platform consistency',
    severity: 'medium',
    platforms: AD_PLATFORMS,
    description: "Median daily CTR, CPC and CPM of the last 28 days are within 3× of the org's median over its advertising connections (at least 3).",
  },
  temporal_consistency: {
    id: 'temporal_consistency',
    name: 'Temporal consistency',
    severity: 'medium',
    platforms: 'all',
    description:
      'No gaps between the first and last day of a daily stream, and no implausible jumps in impressions per row, CTR or CPC (same robust band as volume).',
  },
  meta_account_structure: {
    id: 'meta_account_structure',
    name: 'Meta Business account structure',
    severity: 'medium',
    platforms: ['meta_business'],
    description:
      'The account → campaign → ad set → ad hierarchy is intact: each ad under one ad set, each ad set under one campaign, rows of the connected account only.',
  },
  google_ads_quality_score: {
    id: 'google_ads_quality_score',
    name: 'Google Ads quality score range',
    severity: 'low',
    platforms: ['google_ads'],
    description: 'Quality scores, where reported, are whole numbers from 1 to 10.',
  },
};

/** One offending row, entity or day, as a report shows it. The fields present say what it is. */
export interface RuleSample {
  stream?: StreamKind;
  entityId?: string;
  date?: string;
  detail: string;
}

/** What one rule found on one connection. */
export interface RuleOutcome {
  ruleId: ValidationRuleId;
  severity: Severity;
  /** False when the rule does not apply to this connection (platform, streams, too little data); it is then left out of the score. */
  applicable: boolean;
  passed: boolean;
  /** Offending rows, days, entities or connections. */
  violations: number;
  /** Rows, days, entities or connections examined. */
  checked: number;
  message: string;
  /** Up to MAX_RULE_SAMPLES of the violations. */
  samples: RuleSample[];
}

export const MAX_RULE_SAMPLES = 20;

export function ruleApplies(rule: ValidationRuleInfo, platform: PlatformId): boolean {
  return rule.platforms === 'all' || rule.platforms.includes(platform);
}
