/**
 * How a platform call failed, in the terms a retry policy needs:
 * - `auth`: credentials rejected (never retried; the connection needs re-authorisation),
 * - `rate_limited`: retry after `retryAfterMs`,
 * - `transient`: network failure, timeout or 5xx (retried with backoff),
 * - `malformed`: the platform answered something unreadable (not retried).
 */
export type ConnectorErrorKind = 'auth' | 'rate_limited' | 'transient' | 'malformed';

export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';

  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly details: { status?: number; platformCode?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}
