/**
 * Failures of an OAuth exchange with a platform. Their messages carry the platform's error code and
 * description only: never a code, token, verifier or the client secret.
 */

/** The platform refused the request with an OAuth error (`invalid_grant`, `access_denied`, `invalid_client`, …). */
export class OAuthProviderError extends Error {
  override readonly name = 'OAuthProviderError';
  constructor(
    /** The platform's `error` code. */
    readonly error: string,
    /** The platform's `error_description`, shortened. */
    readonly description: string | null,
    /** HTTP status of the token endpoint's answer; null for an error carried by the authorization redirect. */
    readonly httpStatus: number | null,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

/** The platform's token endpoint could not be reached, timed out, or failed on its side: worth retrying later. */
export class OAuthProviderUnavailableError extends Error {
  override readonly name = 'OAuthProviderUnavailableError';
}
