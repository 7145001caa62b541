import { PLATFORMS, type PlatformId } from './platforms';
import { type RuleOutcome, type Severity, type ValidationRuleId, VALIDATION_RULES } from './validation-rules';

export interface Recommendation {
  ruleId: ValidationRuleId;
  severity: Severity;
  /** 1 is the most urgent. */
  priority: number;
  title: string;
  actions: string[];
}

const PRIORITY: Readonly<Record<Severity, number>> = { critical: 1, high: 2, medium: 3, low: 4 };

/** What to do about a failed rule, in general; platform notes below refine it. */
const GENERAL_ACTIONS: Readonly<Record<ValidationRuleId, string[]>> = {
  daily_freshness: ['Run a sync now and check that it completes', 'Give the connection a daily (or hourly) sync_frequency so data stays current'],
  weekly_availability: ['Backfill the missing days with a sync over their date range', 'Check the sync history for failed runs on those days'],
  required_fields: [
    'Inspect the sampled rows: the platform returned records without these fields',
    'Re-sync the affected days; if the fields stay empty, check the connector mapping for this platform',
  ],
  volume_consistency: [
    'Compare the anomalous days with the platform UI: a real pause or a partial sync?',
    'Re-sync the anomalous days to rule out an interrupted sync',
  ],
  metric_relationships: [
    'Re-sync the sampled days; contradictory metrics usually come from a partial or mixed-attribution report',
    'Exclude the sampled rows from analysis until corrected',
  ],
  value_ranges: ['Check the sampled rows for refunds, currency mix-ups or unit errors (micros, cents)', 'Re-sync the affected days'],
  cross_platform_consistency: [
    "Check this account's currency and attribution settings against the org's other ad accounts",
    'Confirm the connection points at the intended ad account',
  ],
  temporal_consistency: ['Backfill the gap days', 'Compare the jump days with the platform UI; re-sync them if the platform shows different figures'],
  meta_account_structure: [
    'Re-sync the connection so ads and ad sets carry their parents',
    'Check that the connection is linked to one ad account (act_…) only',
  ],
  google_ads_quality_score: ['Re-sync the affected days; Google Ads reports quality scores 1-10 or none'],
};

const PLATFORM_NOTES: Partial<Record<PlatformId, Partial<Record<ValidationRuleId, string>>>> = {
  meta_business: {
    daily_freshness: 'Meta finalises insights with up to 48 h of delay; sync daily with a 3-day lookback',
    metric_relationships: 'Meta attribution windows can move conversions between days; sync with a lookback window',
    required_fields: 'Request the ad_name, spend and account_currency insight fields',
  },
  google_ads: {
    daily_freshness: 'Google Ads data settles within about 3 hours; a daily sync after 04:00 UTC is enough',
    value_ranges: 'Google Ads reports cost in micros: check that cost_micros is divided by 1,000,000',
    google_ads_quality_score: 'Quality score belongs to keywords (ad_group_criterion.quality_info); null is normal for low-traffic keywords',
  },
  tiktok: { daily_freshness: 'TikTok reports in the advertiser time zone; sync with a 1-day lookback' },
  linkedin_ads: { required_fields: 'LinkedIn analytics need the costInLocalCurrency field and the account currency' },
  x_ads: { value_ranges: 'X Ads reports spend in micros: check the billed_charge_local_micro conversion' },
  klaviyo: { volume_consistency: 'Email volume follows send days; a day without sends is normal for small lists' },
};

/** One recommendation per failed rule, most urgent first. */
export function recommendationsFor(platform: PlatformId, outcomes: readonly RuleOutcome[]): Recommendation[] {
  return outcomes
    .filter((o) => o.applicable && !o.passed)
    .map((o) => {
      const note = PLATFORM_NOTES[platform]?.[o.ruleId];
      return {
        ruleId: o.ruleId,
        severity: o.severity,
        priority: PRIORITY[o.severity],
        title: `${VALIDATION_RULES[o.ruleId].name} failed on ${PLATFORMS[platform].name}: ${o.message}`,
        actions: note ? [note, ...GENERAL_ACTIONS[o.ruleId]] : [...GENERAL_ACTIONS[o.ruleId]],
      };
    })
    .sort((a, b) => a.priority - b.priority);
}
