import type { DataMode } from './connection';
import type { StreamKind } from './platforms';

export const SYNC_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** An inclusive window of days, as ISO dates (YYYY-MM-DD). */
export interface DateWindow {
  startDate: string;
  endDate: string;
}

/** A record mapped onto the normalised metrics table. The raw platform record is kept alongside. */
export interface MetricRecord {
  stream: StreamKind;
  /** The platform's id for the entity the row describes (ad, order, contact, payment, ...). */
  entityId: string;
  /** The day the row describes (YYYY-MM-DD). */
  date: string;
  entityName: string | null;
  /** Parent entity id (ad set for an ad, campaign for an ad set, customer for an order), when the platform has one. */
  parentId: string | null;
  impressions: number | null;
  clicks: number | null;
  spend: number | null;
  conversions: number | null;
  revenue: number | null;
  currency: string | null;
  raw: Record<string, unknown>;
}

/** Who asked for a sync, for the audit log; absent for scheduled syncs. Identifiers only, no secrets. */
export interface SyncRequester {
  actorId: string;
  actorRole: string;
  requestId: string | null;
}

/** A contact (profile, customer) as a metrics row: its day is the day it was created; it has no metrics. */
export function contactRecord(contact: { entityId: string; date: string; entityName: string | null; raw: Record<string, unknown> }): MetricRecord {
  return {
    stream: 'contacts',
    ...contact,
    parentId: null,
    impressions: null,
    clicks: null,
    spend: null,
    conversions: null,
    revenue: null,
    currency: null,
  };
}

/** What the sync workflow reports through its `progress` query. No secrets, no records. */
export interface SyncProgress {
  status: SyncStatus;
  source: 'live' | 'mock' | null;
  currentStream: StreamKind | null;
  streamsDone: StreamKind[];
  pages: number;
  recordsFetched: number;
  recordsWritten: number;
  /** Records left out because no column could hold one of their values (counted and sampled in the sync log). */
  recordsQuarantined?: number;
  cursor: string | null;
  error: string | null;
  /** The connection's data mode for this sync. */
  mode: DataMode | null;
  /** Why a mode that prefers live is served by mock (auto's choice, or a hybrid fallback); null otherwise. */
  fallbackReason: string | null;
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(startDate: string, endDate: string): number {
  return Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000);
}

/** The default window of a sync: the last `days` days up to and including `today`. */
export function trailingWindow(today: string, days: number): DateWindow {
  return { startDate: addDays(today, -(days - 1)), endDate: today };
}
