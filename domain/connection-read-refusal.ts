/**
 * Why a connection may not be read live on request (POST /data, hybrid-data, a connection test):
 * the same limits syncs keep. `not_exposed_by_rollout` is the org's rollout holding the connection
 * on mock; the others are its status.
 */
export type ConnectionReadRefusalReason = 'connection_disabled' | 'connection_reauth_required' | 'connection_not_active' | 'not_exposed_by_rollout';

export class ConnectionReadRefused extends Error {
  override readonly name = 'ConnectionReadRefused';
  constructor(
    readonly reason: ConnectionReadRefusalReason,
    message: string,
  ) {
    super(message);
  }
}
