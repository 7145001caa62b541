import type { ConnectionStatus, DataMode, DataSource } from './connection';
import type { SyncStatus } from './sync';

/**
 * Which source serves a connection, from its data mode and what we know of its live side:
 * - `mock`: the generator, always.
 * - `live`: the platform, always; a failing platform fails the sync.
 * - `auto`: live when the connection has credentials, is not waiting for re-authorisation and its
 *   recent live syncs are not a run of failures; mock otherwise (the reason says which).
 * - `hybrid`: live first (mock only when it cannot even try); the sync falls back to mock when
 *   the live side fails or its data fails the quality gate (see workflows/connection-sync.ts).
 */

/** A recent sync as the health check reads it. */
export interface RecentSync {
  status: SyncStatus;
  source: DataSource;
  /** A hybrid sync that fell back at run time: its live side failed although the sync completed. */
  fellBack: boolean;
  startedAt: Date;
}

export interface SourceSelectionInput {
  mode: DataMode;
  /** Every credential field the platform needs is filled in. */
  hasCredentials: boolean;
  connectionStatus: ConnectionStatus;
  /** The connection's latest syncs, newest first (a few are enough). */
  recentSyncs: readonly RecentSync[];
  now: Date;
}

export interface SourceSelection {
  source: DataSource;
  /** Why a mode that prefers live is served by mock; null when it is served as it prefers. */
  reason: string | null;
}

/** `auto` turns to mock after this many live failures in a row… */
export const AUTO_LIVE_FAILURE_RUN = 3;
/** …within this long; after it, auto tries live again. */
export const AUTO_HEALTH_LOOKBACK_MS = 6 * 60 * 60 * 1000;

export function selectSource(input: SourceSelectionInput): SourceSelection {
  switch (input.mode) {
    case 'mock':
      return { source: 'mock', reason: null };
    case 'live':
      return { source: 'live', reason: null };
    case 'hybrid':
      if (!input.hasCredentials) return { source: 'mock', reason: 'no credentials for the live platform' };
      if (input.connectionStatus === 'reauth_required') return { source: 'mock', reason: 'the connection needs re-authorisation' };
      return { source: 'live', reason: null };
    case 'auto': {
      if (!input.hasCredentials) return { source: 'mock', reason: 'no credentials for the live platform' };
      if (input.connectionStatus === 'reauth_required') return { source: 'mock', reason: 'the connection needs re-authorisation' };
      const failures = recentLiveFailureRun(input.recentSyncs, input.now);
      if (failures >= AUTO_LIVE_FAILURE_RUN) return { source: 'mock', reason: `the last ${failures} live syncs failed` };
      return { source: 'live', reason: null };
    }
  }
}

/**
 * How many of the newest syncs in the lookback were live failures in a row: failed live syncs and
 * hybrid syncs that fell back. A mock sync that was chosen (no fallback) neither breaks nor extends
 * the run; a live success ends it.
 */
export function recentLiveFailureRun(recent: readonly RecentSync[], now: Date): number {
  let run = 0;
  for (const sync of recent) {
    if (now.getTime() - sync.startedAt.getTime() > AUTO_HEALTH_LOOKBACK_MS) break;
    const liveFailed = (sync.source === 'live' && sync.status === 'failed') || sync.fellBack;
    if (liveFailed) run += 1;
    else if (sync.source === 'live' && sync.status === 'completed') break;
  }
  return run;
}
