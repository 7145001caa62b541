import type { DateWindow, MetricRecord } from '../../domain/sync';
import { addDays, daysBetween } from '../../domain/sync';
import { rngFor } from './random';

/**
 * The seeded mock data generator. Rows are addressed by index so any page can be produced
 * without generating the ones before it; the same (seed, account, window) always yields the same rows.
 *
 * Ad performance keeps the relationships analysts rely on: clicks ≤ impressions,
 * CTR = clicks / impressions, spend = clicks × CPC within ±2 %, conversions ≤ clicks,
 * and a weekly seasonality (weekends ~25 % lower).
 */
export interface AccountShape {
  seed: number;
  accountId: string;
  campaigns: number;
  adSetsPerCampaign: number;
  adsPerAdSet: number;
  /** Contacts (profiles, customers) the account holds. */
  contacts: number;
  /** Orders (each with one payment) a day, from the commerce generator's epoch on. */
  ordersPerDay: number;
  /**
   * Names (of ads, ad sets, campaigns, email campaigns, contacts, cities, products) carry text Postgres
   * cannot store: a NUL and an unpaired UTF-16 surrogate. The emulators' `unstorableText` fault.
   */
  unstorableText?: boolean;
}

/** What `unstorableText` appends to a name: U+0000, then a lone high surrogate. */
export const UNSTORABLE_TEXT = '\u0000\ud800';

/** A generated name, with the unstorable text appended when the shape asks for it. */
export function generatedName(shape: Pick<AccountShape, 'unstorableText'>, name: string): string {
  return shape.unstorableText ? `${name}${UNSTORABLE_TEXT}` : name;
}

export const DEFAULT_ACCOUNT_SHAPE: Omit<AccountShape, 'accountId'> = {
  seed: 42,
  campaigns: 3,
  adSetsPerCampaign: 2,
  adsPerAdSet: 3,
  contacts: 250,
  ordersPerDay: 4,
};

export interface AdEntity {
  adId: string;
  adName: string;
  adSetId: string;
  adSetName: string;
  campaignId: string;
  campaignName: string;
}

export function adCount(shape: AccountShape): number {
  return shape.campaigns * shape.adSetsPerCampaign * shape.adsPerAdSet;
}

/** The ad hierarchy of an account: account → campaign → ad set → ad. */
export function adEntity(shape: AccountShape, adIndex: number): AdEntity {
  const perCampaign = shape.adSetsPerCampaign * shape.adsPerAdSet;
  const campaign = Math.floor(adIndex / perCampaign);
  const adSet = Math.floor(adIndex / shape.adsPerAdSet);
  const base = shape.accountId.replace(/\D/g, '').slice(-6) || '1';
  return {
    adId: `${base}${String(adIndex + 1).padStart(6, '0')}`,
    adName: generatedName(shape, `Ad ${adIndex + 1}`),
    adSetId: `${base}${String(adSet + 1).padStart(4, '0')}00`,
    adSetName: generatedName(shape, `Ad set ${adSet + 1}`),
    campaignId: `${base}${String(campaign + 1).padStart(3, '0')}000`,
    campaignName: generatedName(shape, `Campaign ${campaign + 1}`),
  };
}

/** Number of ad performance rows in a window: one per ad per day. */
export function adPerformanceRowCount(shape: AccountShape, window: DateWindow): number {
  return Math.max(0, daysBetween(window.startDate, window.endDate) + 1) * adCount(shape);
}

export interface AdPerformanceValues {
  entity: AdEntity;
  date: string;
  impressions: number;
  clicks: number;
  spend: number;
  conversions: number;
  conversionValue: number;
  reach: number;
  qualityScore: number;
}

/** Row `index` of the window, days outermost so a page covers whole days where it can. */
export function adPerformanceRow(shape: AccountShape, window: DateWindow, index: number): AdPerformanceValues {
  const ads = adCount(shape);
  const date = addDays(window.startDate, Math.floor(index / ads));
  const entity = adEntity(shape, index % ads);
  const adRng = rngFor(shape.seed, shape.accountId, entity.adId);
  const baseImpressions = 2_000 + Math.floor(adRng() * 18_000);
  const baseCtr = 0.005 + adRng() * 0.025;
  const baseCpc = 0.3 + adRng() * 2.2;
  const baseCvr = 0.02 + adRng() * 0.06;
  const qualityScore = 1 + Math.floor(adRng() * 10);

  const dayRng = rngFor(shape.seed, shape.accountId, entity.adId, date);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  const seasonality = weekday === 0 || weekday === 6 ? 0.75 : 1 + 0.05 * Math.sin(weekday);
  const impressions = Math.max(1, Math.round(baseImpressions * seasonality * (0.85 + dayRng() * 0.3)));
  const clicks = Math.min(impressions, Math.round(impressions * baseCtr * (0.8 + dayRng() * 0.4)));
  const spend = round2(clicks * baseCpc * (0.98 + dayRng() * 0.04));
  const conversions = Math.min(clicks, Math.round(clicks * baseCvr * (0.7 + dayRng() * 0.6)));
  const conversionValue = round2(conversions * (35 + dayRng() * 60));
  const reach = Math.round(impressions * (0.6 + dayRng() * 0.3));
  return { entity, date, impressions, clicks, spend, conversions, conversionValue, reach, qualityScore };
}

export interface ContactValues {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  createdDate: string;
  city: string;
  country: string;
}

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Linus'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Torvalds'];
const CITIES: [string, string][] = [
  ['Berlin', 'DE'],
  ['Austin', 'US'],
  ['Lyon', 'FR'],
  ['Leeds', 'GB'],
  ['Osaka', 'JP'],
];

/** Contact `index` of an account; created dates spread over the year before `asOf`. */
export function contactRow(shape: AccountShape, asOf: string, index: number): ContactValues {
  const rng = rngFor(shape.seed, shape.accountId, 'contact', index);
  const first = FIRST_NAMES[Math.floor(rng() * FIRST_NAMES.length)]!;
  const last = LAST_NAMES[Math.floor(rng() * LAST_NAMES.length)]!;
  const [city, country] = CITIES[Math.floor(rng() * CITIES.length)]!;
  return {
    id: `${shape.accountId}-c${String(index + 1).padStart(7, '0')}`,
    email: `${first}.${last}.${index + 1}@example.com`.toLowerCase(),
    firstName: generatedName(shape, first),
    lastName: generatedName(shape, last),
    createdDate: addDays(asOf, -Math.floor(rng() * 365)),
    city: generatedName(shape, city),
    country,
  };
}

/** Maps a generated ad performance row onto the normalised metrics shape; warehouses serve the same daily rows as query results. */
export function adPerformanceRecord(
  values: AdPerformanceValues,
  raw: Record<string, unknown>,
  stream: 'ad_performance' | 'warehouse_rows' = 'ad_performance',
): MetricRecord {
  return {
    stream,
    entityId: values.entity.adId,
    date: values.date,
    entityName: values.entity.adName,
    parentId: values.entity.adSetId,
    impressions: values.impressions,
    clicks: values.clicks,
    spend: values.spend,
    conversions: values.conversions,
    revenue: values.conversionValue,
    currency: 'USD',
    raw,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
