import type { PlatformId } from './platforms';

/**
 * The platforms' documented request quotas, and the pure arithmetic of the token buckets that keep
 * every worker of the fleet under them (the buckets live in Postgres: db/repositories/rate-buckets.ts).
 * Workflow-safe: plain data and functions.
 */

/** Whom a quota counts: the whole application (one developer token, one app) or one platform account. */
export type QuotaScope = 'app' | 'account';

/** The platform's own token (leaky) bucket: holds `burst` requests, refilled at `perSecond`. */
export interface TokenBucketQuota {
  kind: 'token_bucket';
  name: string;
  scope: QuotaScope;
  burst: number;
  perSecond: number;
}

/** At most `limit` requests in any `windowSeconds` (a sliding window, or one whose alignment we do not know). */
export interface RollingQuota {
  kind: 'rolling';
  name: string;
  scope: QuotaScope;
  limit: number;
  windowSeconds: number;
}

/**
 * At most `limit` requests per window that resets at fixed times: windows aligned to the Unix epoch
 * shifted by `resetOffsetSeconds` (a day of 86400 s from UTC midnight by default). Only for platforms
 * whose reset time is documented; an exhausted window pauses the sync until it resets.
 */
export interface FixedWindowQuota {
  kind: 'fixed_window';
  name: string;
  scope: QuotaScope;
  limit: number;
  windowSeconds: number;
  resetOffsetSeconds?: number;
}

export type PlatformQuota = TokenBucketQuota | RollingQuota | FixedWindowQuota;
export type PlatformQuotas = Readonly<Record<PlatformId, readonly PlatformQuota[]>>;

const DAY = 86_400;

/**
 * What each platform documents, at its most conservative tier (the tier a new integration starts on).
 * Operators with higher tiers override them with PLATFORM_QUOTAS (config/platform-quotas-config.ts).
 */
export const DEFAULT_PLATFORM_QUOTAS: PlatformQuotas = {
  // Business Use Case limit of ads_insights, Limited (formerly Standard) access tier: calls per rolling hour per ad
  // account = 600 + 400 × active ads − 0.001 × user errors; we take the 600 floor.
  // https://developers.facebook.com/docs/marketing-api/overview/rate-limiting
  meta_business: [{ kind: 'rolling', name: 'ads_insights_per_hour', scope: 'account', limit: 600, windowSeconds: 3600 }],
  // Basic access: 15,000 operations a day per developer token; "per day" is a sliding 24-hour period; a paged
  // search counts as one operation. https://developers.google.com/google-ads/api/docs/access-levels
  google_ads: [{ kind: 'rolling', name: 'operations_per_day', scope: 'app', limit: 15_000, windowSeconds: DAY }],
  // Per account, fixed 1 s (burst) and 1 min (steady) windows; tier S (3/s, 60/min), the strictest the
  // connector's endpoints (profiles, metric aggregates) use. https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling
  klaviyo: [
    { kind: 'rolling', name: 'burst_per_second', scope: 'account', limit: 3, windowSeconds: 1 },
    { kind: 'rolling', name: 'steady_per_minute', scope: 'account', limit: 60, windowSeconds: 60 },
  ],
  // REST Admin API leaky bucket per app and store: 40 requests, leaking 2/s (standard plan).
  // https://shopify.dev/docs/api/admin-rest/usage/rate-limits
  shopify: [{ kind: 'token_bucket', name: 'rest_leaky_bucket', scope: 'account', burst: 40, perSecond: 2 }],
  // Self-hosted: the REST API has no platform limit, the store's host decides. We assume the Store API's documented
  // default (25 requests per 10 s) per store. https://developer.woocommerce.com/docs/apis/store-api/rate-limiting
  woocommerce: [{ kind: 'rolling', name: 'host_default_per_10s', scope: 'account', limit: 25, windowSeconds: 10 }],
  // Orders API getOrders usage plan: token bucket, rate 0.0167 requests/s, burst 20, per selling partner and app.
  // https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits
  amazon_seller_central: [{ kind: 'token_bucket', name: 'get_orders', scope: 'account', burst: 20, perSecond: 0.0167 }],
  // Public (OAuth) apps: 100 requests per 10 s per app per portal; the daily limit of the lowest (Free/Starter)
  // tier, 250,000, whose reset follows the portal's time zone (unknown here), hence rolling.
  // https://developers.hubspot.com/docs/api/usage-details
  hubspot: [
    { kind: 'rolling', name: 'burst_per_10s', scope: 'account', limit: 100, windowSeconds: 10 },
    { kind: 'rolling', name: 'requests_per_day', scope: 'account', limit: 250_000, windowSeconds: DAY },
  ],
  // Total API request allocation per org over a rolling 24 hours: 100,000 + a per-licence adder; we take the base.
  // https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html
  salesforce: [{ kind: 'rolling', name: 'api_requests_per_day', scope: 'account', limit: 100_000, windowSeconds: DAY }],
  // Live mode: 100 requests/s per account globally, 25/s per endpoint unless documented otherwise.
  // https://docs.stripe.com/rate-limits
  stripe: [
    { kind: 'rolling', name: 'global_per_second', scope: 'account', limit: 100, windowSeconds: 1 },
    { kind: 'rolling', name: 'endpoint_per_second', scope: 'account', limit: 25, windowSeconds: 1 },
  ],
  // PayPal publishes no rate limits ("we do not publish a rate limiting policy"); a conservative default per app.
  // https://developer.paypal.com/api/rest/reference/rate-limiting/
  paypal: [{ kind: 'rolling', name: 'unpublished_per_second', scope: 'app', limit: 10, windowSeconds: 1 }],
  // Basic tier per developer app: 10 QPS, 600 QPM, 864,000 QPD; the daily counter resets at 00:00 UTC.
  // https://business-api.tiktok.com/portal/docs/rate-limits/v1.3
  tiktok: [
    { kind: 'rolling', name: 'qps', scope: 'app', limit: 10, windowSeconds: 1 },
    { kind: 'rolling', name: 'qpm', scope: 'app', limit: 600, windowSeconds: 60 },
    { kind: 'fixed_window', name: 'qpd', scope: 'app', limit: 864_000, windowSeconds: DAY },
  ],
  // Snowflake publishes no request rate for its SQL API, only 429s; its limit is warehouse concurrency, which a
  // request bucket cannot express. https://docs.snowflake.com/en/developer-guide/sql-api/index
  snowflake: [],
  // Databricks limits statement execution by SQL warehouse concurrency, not by a request rate.
  // https://docs.databricks.com/aws/en/resources/limits
  databricks: [],
  // API credits in a 24-hour window per org; Free edition: 5,000 (each paged read costs 1 credit).
  // https://www.zoho.com/crm/developer/docs/api/v4/api-limits.html
  zoho_crm: [{ kind: 'rolling', name: 'credits_per_day', scope: 'account', limit: 5_000, windowSeconds: DAY }],
  // Application and member daily limits, reset at midnight UTC; the numbers are not published (the Developer
  // Portal's Analytics tab shows an app's own), so these are conservative stand-ins to override.
  // https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits
  linkedin_ads: [
    { kind: 'fixed_window', name: 'application_per_day', scope: 'app', limit: 100_000, windowSeconds: DAY },
    { kind: 'fixed_window', name: 'member_per_day', scope: 'account', limit: 5_000, windowSeconds: DAY },
  ],
  // Synchronous stats endpoint: 250 requests per 15 minutes (x-rate-limit-limit), per ad account.
  // https://docs.x.com/x-ads-api/fundamentals/rate-limiting and https://twittercommunity.com/t/78094
  x_ads: [{ kind: 'rolling', name: 'stats_per_15_minutes', scope: 'account', limit: 250, windowSeconds: 900 }],
};

/**
 * The share of each documented quota the fleet spends. The rest absorbs what we cannot see: requests
 * in flight between the grant and the platform, clock skew, other clients of the same account.
 */
export const QUOTA_HEADROOM = 0.9;

/** A continuously refilled bucket; `capacity` is the burst. Its tokens may go negative: reservations not yet due. */
export interface RefillBucket {
  kind: 'bucket';
  name: string;
  scope: QuotaScope;
  capacity: number;
  perSecond: number;
}

/** A counter that refills completely at each window boundary. */
export interface WindowBucket {
  kind: 'window';
  name: string;
  scope: QuotaScope;
  capacity: number;
  windowSeconds: number;
  offsetSeconds: number;
}

export type QuotaBucket = RefillBucket | WindowBucket;

/**
 * The bucket that enforces a quota. A rolling "N per W" becomes a bucket with burst B and rate r where
 * B + r·W = N·headroom: a token bucket admits at most B + r·T requests in any interval T, so no window
 * of length W ever sees more than the quota, wherever the platform's window starts.
 */
export function compileQuota(quota: PlatformQuota, headroom = QUOTA_HEADROOM): QuotaBucket {
  switch (quota.kind) {
    case 'token_bucket':
      return {
        kind: 'bucket',
        name: quota.name,
        scope: quota.scope,
        capacity: Math.max(1, Math.floor(quota.burst * headroom)),
        perSecond: quota.perSecond * headroom,
      };
    case 'rolling': {
      const target = quota.limit * headroom;
      const burst = Math.max(1, Math.floor(target / 10));
      return { kind: 'bucket', name: quota.name, scope: quota.scope, capacity: burst, perSecond: (target - burst) / quota.windowSeconds };
    }
    case 'fixed_window':
      return {
        kind: 'window',
        name: quota.name,
        scope: quota.scope,
        capacity: Math.max(1, Math.floor(quota.limit * headroom)),
        windowSeconds: quota.windowSeconds,
        offsetSeconds: quota.resetOffsetSeconds ?? 0,
      };
  }
}

/** Why a quota is unusable, or null. Config validation and tests share it. */
export function quotaProblem(quota: PlatformQuota, headroom = QUOTA_HEADROOM): string | null {
  if (quota.kind === 'rolling' && quota.limit * headroom <= 1)
    return `${quota.name}: a rolling quota needs a limit of at least ${Math.floor(1 / headroom) + 1}`;
  if (quota.kind === 'token_bucket' && !(quota.perSecond > 0)) return `${quota.name}: perSecond must be positive`;
  return null;
}

/** Tokens of a refilling bucket after `elapsedSeconds` (never more than its burst). */
export function refilledTokens(bucket: RefillBucket, tokens: number, elapsedSeconds: number): number {
  return Math.min(bucket.capacity, tokens + bucket.perSecond * Math.max(0, elapsedSeconds));
}

/** Seconds until a bucket holding `available` tokens can pay `cost` (0 when it can now). */
export function secondsUntilAffordable(bucket: RefillBucket, available: number, cost: number): number {
  return available >= cost ? 0 : (cost - available) / bucket.perSecond;
}

/** Start of the fixed window containing `atMs`, and when it resets (epoch milliseconds). */
export function fixedWindowAt(bucket: Pick<WindowBucket, 'windowSeconds' | 'offsetSeconds'>, atMs: number): { startMs: number; resetMs: number } {
  const width = bucket.windowSeconds * 1000;
  const offset = bucket.offsetSeconds * 1000;
  const startMs = Math.floor((atMs - offset) / width) * width + offset;
  return { startMs, resetMs: startMs + width };
}

/** One bucket as the atomic reservation saw it. */
export interface BucketReading {
  bucket: QuotaBucket;
  /** Tokens before this request took any. */
  available: number;
  /** Refill buckets: seconds until this request's token is due. */
  waitSeconds: number;
  /** Window buckets: when the window resets (epoch ms). */
  resetMs: number | null;
}

/** What a request gets from the limiter. */
export type ReservationOutcome =
  | { kind: 'granted'; waitMs: number; throttledBy: string[]; lateToleranceMs: number }
  | { kind: 'paused'; untilMs: number; reason: 'window_exhausted' | 'wait_too_long'; exhausted: string[] };

/**
 * Whether one request may proceed: every window still has a token and the longest refill wait is
 * within `maxWaitSeconds`. The reservation statement decides by this same rule, atomically.
 */
export function shouldGrant(readings: readonly BucketReading[], cost: number, maxWaitSeconds: number): boolean {
  return readings.every((r) => (r.bucket.kind === 'window' ? r.available >= cost : r.waitSeconds <= maxWaitSeconds));
}

/**
 * How late a throttled request may still be sent in its reserved slot: one token's interval of the
 * fastest bucket that held it. A request that late adds at most one request to any window; one later
 * than that (its process stalled past the slot) would land on later requests' slots and burst, so it
 * must take a new slot instead.
 */
export function lateSendToleranceMs(waiting: readonly BucketReading[]): number {
  const rates = waiting.flatMap((r) => (r.bucket.kind === 'bucket' ? [r.bucket.perSecond] : []));
  return rates.length === 0 ? Number.POSITIVE_INFINITY : 1000 / Math.max(...rates);
}

/** Explains a reservation: how long a granted request waits, or until when a refused one pauses and why. */
export function reservationOutcome(readings: readonly BucketReading[], granted: boolean, atMs: number, cost = 1): ReservationOutcome {
  const waiting = readings.filter((r) => r.bucket.kind === 'bucket' && r.waitSeconds > 0);
  const longestWaitMs = Math.ceil(Math.max(0, ...waiting.map((r) => r.waitSeconds)) * 1000);
  if (granted) return { kind: 'granted', waitMs: longestWaitMs, throttledBy: waiting.map((r) => r.bucket.name), lateToleranceMs: lateSendToleranceMs(waiting) };
  const exhausted = readings.filter((r) => r.bucket.kind === 'window' && r.resetMs !== null && r.available < cost);
  if (exhausted.length > 0) {
    return {
      kind: 'paused',
      reason: 'window_exhausted',
      untilMs: Math.max(...exhausted.map((r) => r.resetMs!)),
      exhausted: exhausted.map((r) => r.bucket.name),
    };
  }
  return { kind: 'paused', reason: 'wait_too_long', untilMs: atMs + longestWaitMs, exhausted: waiting.map((r) => r.bucket.name) };
}
