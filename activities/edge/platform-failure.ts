import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../../connectors/connector-error';
import { FailureType } from '../../domain/errors';

/** Turns a connector's failure into the typed failure the workflow's retry policy understands. */
export function toPlatformFailure(err: unknown, platform: string): unknown {
  if (!(err instanceof ConnectorError)) return err;
  const message = `${platform}: ${err.message}`;
  const details = [{ status: err.details.status ?? null, platformCode: err.details.platformCode ?? null }];
  switch (err.kind) {
    case 'auth':
      return ApplicationFailure.create({ type: FailureType.PlatformAuth, message, nonRetryable: true, details });
    case 'malformed':
      return ApplicationFailure.create({ type: FailureType.PlatformMalformedResponse, message, nonRetryable: true, details });
    case 'rate_limited':
      // The platform's own delay overrides the retry policy's backoff for the next attempt.
      return ApplicationFailure.create({ type: FailureType.PlatformRateLimited, message, details, nextRetryDelay: err.details.retryAfterMs });
    case 'transient':
      return ApplicationFailure.create({ type: FailureType.PlatformTransient, message, details });
  }
}
