import type { PlatformId, StreamKind } from './platforms';

/** Columns of marketing_metrics whose presence and ranges the validation rules judge. */
export const METRIC_FIELDS = ['entity_name', 'parent_id', 'impressions', 'clicks', 'spend', 'conversions', 'revenue', 'currency'] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];

const AD_FIELDS_NAMED: readonly MetricField[] = ['entity_name', 'impressions', 'clicks', 'spend', 'currency'];

/**
 * The fields each platform's rows must carry, per stream. Platform-specific because the platforms'
 * APIs differ: LinkedIn and X analytics report no ad names, X reports no currency on its stats.
 * A stream not listed here only needs a non-empty raw record.
 */
const REQUIRED_FIELDS: Partial<Record<PlatformId, Partial<Record<StreamKind, readonly MetricField[]>>>> = {
  meta_business: { ad_performance: AD_FIELDS_NAMED },
  google_ads: { ad_performance: AD_FIELDS_NAMED },
  tiktok: { ad_performance: AD_FIELDS_NAMED },
  linkedin_ads: { ad_performance: ['impressions', 'clicks', 'spend', 'currency'] },
  x_ads: { ad_performance: ['impressions', 'clicks', 'spend'] },
  klaviyo: { email_performance: ['impressions', 'clicks', 'conversions'] },
};

const COMMERCE_FIELDS: Partial<Record<StreamKind, readonly MetricField[]>> = { orders: ['revenue', 'currency'], payments: ['revenue', 'currency'] };

export function requiredFields(platform: PlatformId, stream: StreamKind): readonly MetricField[] {
  return REQUIRED_FIELDS[platform]?.[stream] ?? COMMERCE_FIELDS[stream] ?? [];
}

/** Upper bounds of plausible values per row; anything negative is out of range everywhere. */
export interface ValueBounds {
  /** Cost per click, in the account currency. */
  maxCpc: number;
  /** Cost per thousand impressions. */
  maxCpm: number;
  /** Revenue (conversion value, order total) of one row. */
  maxRevenue: number;
}

const DEFAULT_BOUNDS: ValueBounds = { maxCpc: 500, maxCpm: 1_000, maxRevenue: 10_000_000 };

/** LinkedIn's B2B auctions run far dearer than consumer platforms. */
const PLATFORM_BOUNDS: Partial<Record<PlatformId, Partial<ValueBounds>>> = {
  linkedin_ads: { maxCpc: 1_000, maxCpm: 2_000 },
  google_ads: { maxCpc: 1_000 },
};

export function valueBounds(platform: PlatformId): ValueBounds {
  return { ...DEFAULT_BOUNDS, ...PLATFORM_BOUNDS[platform] };
}
