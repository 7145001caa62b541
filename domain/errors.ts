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
  /** The connection's configuration cannot be synced (for example a stream its platform does not serve). */
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

/**
 * Failure types of one activity family each, named here so workflows compare against (and list
 * as non-retryable) the same values the activities throw.
 */

/** The Memory Service hand-off: a refusal is not retried (the same batch would be refused again). */
export const MemoryFailureType = {
  Unavailable: 'MemoryServiceUnavailableError',
  Rejected: 'MemoryServiceRejectedError',
} as const;

/** Rollout activities: the rollout row is gone, so no retry can find it. */
export const RolloutFailureType = { RolloutNotFound: 'RolloutNotFoundError' } as const;

/** Alert webhook deliveries: a 4xx other than 408/429 is a rejection and is not retried. */
export const AlertFailureType = {
  WebhookUnavailable: 'AlertWebhookUnavailableError',
  WebhookRejected: 'AlertWebhookRejectedError',
} as const;

/** The token refresh activity; both are retried with backoff. */
export const TokenRefreshFailureType = {
  /** The token endpoint could not be reached, timed out or failed on its side. */
  ProviderUnavailable: 'OAuthProviderUnavailableError',
  /** The platform refused the refresh for another reason than invalid_grant (invalid_client: our app's configuration). */
  RefreshRejected: 'OAuthRefreshRejectedError',
} as const;

/** Notification deliveries (Slack, email, webhook) that did not get through. */
export const NotificationFailureType = { DeliveryFailed: 'NotificationDeliveryFailedError' } as const;

/** Sync activities beyond the platform failures above. */
export const SyncFailureType = {
  /** The sync log moved past this attempt's checkpoint: another attempt took over and carries on. */
  CheckpointMoved: 'SyncCheckpointMoved',
} as const;

/** The details of a PlatformQuotaExhausted failure. */
export interface QuotaExhaustedDetails {
  platform: string;
  /** ISO instant when the quota allows the next request. */
  resumeAt: string;
  reason: 'window_exhausted' | 'wait_too_long';
  quotas: string[];
}
