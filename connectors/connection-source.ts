import type { Kysely } from 'kysely';
import { connectionCredentials } from '../db/repositories/connections';
import { governingRollouts } from '../db/repositories/rollouts';
import { listSyncLogs } from '../db/repositories/sync-logs';
import type { Connection, Database } from '../db/schema';
import type { DataMode } from '../domain/connection';
import { PLATFORMS } from '../domain/platforms';
import { rolloutSourceFor } from '../domain/rollout-assignment';
import { type SourceSelection, selectSource } from '../domain/source-selection';
import type { CredentialVault } from '../security/credential-vault';
import type { ConnectorRegistry } from './registry';

export interface ConnectionSourceDeps {
  db: Kysely<Database>;
  vault: CredentialVault;
  connectors: Pick<ConnectorRegistry, 'hasLiveConnector'>;
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
export async function resolveConnectionSource(deps: ConnectionSourceDeps, connection: Connection, mode: DataMode = connection.data_mode): Promise<SourceSelection> {
  if (mode === 'mock' || mode === 'live') return selectSource({ mode, hasLiveConnector: true, hasCredentials: true, connectionStatus: connection.status, recentSyncs: [], now: new Date(0) });
  const hasLiveConnector = deps.connectors.hasLiveConnector(connection.platform);
  const recent = mode === 'auto' ? await listSyncLogs(deps.db, connection.id, RECENT_SYNCS) : [];
  const selection = selectSource({
    mode,
    hasLiveConnector,
    hasCredentials: hasLiveConnector && credentialsFilledIn(deps.vault, connection),
    connectionStatus: connection.status,
    recentSyncs: recent.map((log) => ({ status: log.status, source: log.source, fellBack: log.fallback_at !== null, startedAt: log.started_at })),
    now: (deps.now ?? (() => new Date()))(),
  });
  if (mode !== 'auto' || selection.source === 'mock') return selection;
  // Live for an auto connection is also the org's rollouts' call (the staged switch from mock to live).
  const rollout = rolloutSourceFor(await governingRollouts(deps.db, connection.org_id), { userId: connection.user_id, platform: connection.platform });
  return rollout && rollout.source === 'mock' ? { source: 'mock', reason: rollout.reason } : selection;
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
