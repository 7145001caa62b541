import { findConnection } from '../db/repositories/connections';
import type { Connection } from '../db/schema';
import { notFound } from './api-error';
import type { AppDeps } from './app-deps';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loads a connection of the caller's org; anything else (another org's, malformed id) is a 404. */
export async function loadOwnConnection(deps: AppDeps, orgId: string, id: string): Promise<Connection> {
  const connection = UUID.test(id) ? await findConnection(deps.db, orgId, id) : undefined;
  if (!connection) throw notFound('Connection');
  return connection;
}
