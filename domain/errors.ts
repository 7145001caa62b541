/**
 * Failure types that cross the activity/workflow boundary as `ApplicationFailure.type`.
 * Retry policies list the non-retryable ones by these names.
 */
export const FailureType = {
  /** Credentials rejected by the platform: retrying cannot help; the connection needs re-authorisation. */
  PlatformAuth: 'PlatformAuthError',
  /** The platform asked us to slow down; retried after its delay. */
  PlatformRateLimited: 'PlatformRateLimitedError',
  /** Network failure or 5xx: retried with backoff. */
  PlatformTransient: 'PlatformTransientError',
  /** The platform answered something we cannot read: retrying the same request will not fix it. */
  PlatformMalformedResponse: 'PlatformMalformedResponseError',
  /** The connection no longer exists or belongs elsewhere. */
  ConnectionNotFound: 'ConnectionNotFoundError',
  /** The connection's configuration cannot be synced (for example live mode on a platform with no live connector). */
  ConnectionMisconfigured: 'ConnectionMisconfiguredError',
  /**
   * A platform quota the fleet shares is spent (a daily cap, or a wait too long to hold an activity):
   * not retried, which would burn attempts; the workflow sleeps until `resumeAt` and carries on.
   */
  PlatformQuotaExhausted: 'PlatformQuotaExhaustedError',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

export const NON_RETRYABLE_FAILURES: FailureTypeName[] = [
  FailureType.PlatformAuth,
  FailureType.PlatformMalformedResponse,
  FailureType.ConnectionNotFound,
  FailureType.ConnectionMisconfigured,
  FailureType.PlatformQuotaExhausted,
];

/** The details of a PlatformQuotaExhausted failure. */
export interface QuotaExhaustedDetails {
  platform: string;
  /** ISO instant when the quota allows the next request. */
  resumeAt: string;
  reason: 'window_exhausted' | 'wait_too_long';
  quotas: string[];
}
