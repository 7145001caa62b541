/**
 * Credentials that travel inside URLs: a bearer token or the codec credential in a path, an OAuth
 * `code` or a token in a query. Field-name redaction (pino's `redact`) cannot see them inside a
 * `path`, an error message or a stack, so every finished log line is scrubbed for these shapes.
 */
const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g;
const SENSITIVE_QUERY =
  /([?&](?:access_token|refresh_token|id_token|token|code|state|client_secret|secret|password|api_key|apikey|key|signature|sig|credential|auth)=)[^&#\s"'\\]*/gi;
/** A long opaque path segment (32+ url-safe characters, letters and digits mixed): a credential, not a name. */
const OPAQUE_SEGMENT = /\/([\w-]{32,})(?=[/?#\s"'\\]|$)/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const REDACTED = '[redacted]';

export function redactUrlCredentials(text: string): string {
  return text
    .replace(JWT, REDACTED)
    .replace(SENSITIVE_QUERY, `$1${REDACTED}`)
    .replace(OPAQUE_SEGMENT, (whole, segment: string) => (UUID.test(segment) || !/\d/.test(segment) || !/[A-Za-z]/.test(segment) ? whole : `/${REDACTED}`));
}
