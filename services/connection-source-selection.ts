import type { Kysely } from 'kysely';
import { connectionCredentials } from '../db/repositories/connections';
import { governingRollouts } from '../db/repositories/rollouts';
import { listSyncLogs } from '../db/repositories/sync-logs';
import type { Connection, Database } from '../db/schema';
import type { DataMode } from '../domain/connection';
import { ConnectionReadRefused } from '../domain/connection-read-refusal';
import { PLATFORMS } from '../domain/platforms';
import { rolloutSourceFor } from '../domain/rollout-assignment';
import { type SourceSelection, selectSource } from '../domain/source-selection';
import type { CredentialVault } from '../security/credential-vault';

export interface ConnectionSourceDeps {
  db: Kysely<Database>;
  vault: CredentialVault;
  now?: () => Date;
}

/** Recent syncs the `auto` health check reads. */
const RECENT_SYNCS = 10;

/**
 * Which source serves a connection now, in its own data mode or the one asked for: gathers what the
 * pure rules of domain/source-selection.ts need (credentials present, status, recent sync outcomes)
 * and, for `auto`, the org's rollouts (domain/rollout-assignment.ts `rolloutSourceFor`).
 * Credentials are opened only to see that they are filled in; they do not leave this function.
 */
export async function resolveConnectionSource(
  deps: ConnectionSourceDeps,
  connection: Connection,
  mode: DataMode = connection.data_mode,
): Promise<SourceSelection> {
  if (mode === 'mock' || mode === 'live')
    return selectSource({ mode, hasCredentials: true, connectionStatus: connection.status, recentSyncs: [], now: new Date(0) });
  const recent = mode === 'auto' ? await listSyncLogs(deps.db, connection.id, RECENT_SYNCS) : [];
  const selection = selectSource({
    mode,
    hasCredentials: credentialsFilledIn(deps.vault, connection),
    connectionStatus: connection.status,
    recentSyncs: recent.map((log) => ({ status: log.status, source: log.source, fellBack: log.fallback_at !== null, startedAt: log.started_at })),
    now: (deps.now ?? (() => new Date()))(),
  });
  if (mode !== 'auto' || selection.source === 'mock') return selection;
  // Live for an auto connection is also the org's rollouts' call (the staged switch from mock to live).
  const rollout = rolloutSourceFor(await governingRollouts(deps.db, connection.org_id), { userId: connection.user_id, platform: connection.platform });
  return rollout && rollout.source === 'mock' ? { source: 'mock', reason: rollout.reason } : selection;
}

/**
 * The source a request may read a connection from, in its own data mode or the one asked for: what
 * resolveConnectionSource decides, within what syncs keep to. A disabled connection is not read; live
 * needs an active connection and, unless its own mode is live or hybrid (an editor's choice syncs
 * follow too), the org's rollout to expose it. A mode that can fall back (auto, hybrid) is served by
 * mock instead, saying why; `live` is refused (ConnectionReadRefused).
 */
export async function resolveReadableSource(
  deps: ConnectionSourceDeps,
  connection: Connection,
  mode: DataMode = connection.data_mode,
): Promise<SourceSelection> {
  if (connection.status === 'disabled') {
    throw new ConnectionReadRefused('connection_disabled', `Connection ${connection.id} is disabled; enable it (PUT with status active) before reading it`);
  }
  const selection = await resolveConnectionSource(deps, connection, mode);
  if (selection.source !== 'live') return selection;
  const refusal = await liveReadRefusal(deps, connection, mode);
  if (!refusal) return selection;
  if (mode === 'live') throw refusal;
  return { source: 'mock', reason: refusal.message };
}

async function liveReadRefusal(deps: ConnectionSourceDeps, connection: Connection, mode: DataMode): Promise<ConnectionReadRefused | null> {
  if (connection.status === 'reauth_required')
    return new ConnectionReadRefused('connection_reauth_required', 'the connection needs re-authorisation before it is read live');
  if (connection.status !== 'active')
    return new ConnectionReadRefused('connection_not_active', `the connection is ${connection.status}; it is read live only when active`);
  // An auto read has weighed the rollouts already (above); live and hybrid connections are live by their own mode.
  if (mode === 'auto' || connection.data_mode === 'live' || connection.data_mode === 'hybrid') return null;
  const rollout = rolloutSourceFor(await governingRollouts(deps.db, connection.org_id), { userId: connection.user_id, platform: connection.platform });
  if (rollout && rollout.source === 'mock')
    return new ConnectionReadRefused('not_exposed_by_rollout', `the org's rollout keeps this connection on mock data: ${rollout.reason ?? 'not exposed'}`);
  return null;
}

function credentialsFilledIn(vault: CredentialVault, connection: Connection): boolean {
  if (connection.credentials_ciphertext.length === 0) return false;
  try {
    const credentials = vault.open(connection.id, connectionCredentials(connection));
    return PLATFORMS[connection.platform].credentialFields.every((field) => (credentials[field] ?? '').trim() !== '');
  } catch {
    // Credentials that no longer open (a retired key) are as good as none.
    return false;
  }
}
