import type { z } from 'zod';
import { ConnectorError, type ConnectorErrorKind } from './connector-error';
import { PLATFORM_HOST_REFUSED, type PlatformNetwork, publicPlatformNetwork } from './platform-network';

/** What a platform's error body says, as far as its classifier can tell; the HTTP status fills the gaps. */
export interface PlatformErrorDetails {
  kind?: ConnectorErrorKind;
  message?: string;
  platformCode?: string;
  retryAfterMs?: number;
}

/** Reads a platform's error response. `body` is the parsed JSON, or undefined when it was not JSON. */
export type PlatformErrorClassifier = (failure: { status: number; body: unknown; headers: Headers }) => PlatformErrorDetails;

export interface JsonRequest {
  method: 'GET' | 'POST';
  /** Path under the base URL, e.g. `/v21.0/act_1/insights`. */
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `application/x-www-form-urlencoded` instead of `body` (OAuth token endpoints). */
  form?: Record<string, string>;
}

export interface JsonResponse<T> {
  body: T;
  /** Size of the response body. */
  bytesRead: number;
  latencyMs: number;
  /** The response headers, for platforms that page or meter through them (Link, X-WP-TotalPages, x-amzn-RateLimit-Limit). */
  headers: Headers;
}

export interface JsonHttpClient {
  /** Sends one request and returns its body checked against `schema`; every failure is a `ConnectorError`. */
  send<T>(request: JsonRequest, schema: z.ZodType<T, unknown>): Promise<JsonResponse<T>>;
}

export interface JsonHttpClientOptions {
  /** The platform's name, for messages. */
  platform: string;
  baseUrl: string;
  timeoutMs?: number;
  /** Credential values: scrubbed from every error message, whatever the platform echoes back. */
  secrets: readonly string[];
  classifyError: PlatformErrorClassifier;
  /** Which hosts may be reached (platform-network.ts); public https hosts only when absent. */
  network?: PlatformNetwork;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createJsonHttpClient(options: JsonHttpClientOptions): JsonHttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const network = options.network ?? publicPlatformNetwork();

  async function send<T>(request: JsonRequest, schema: z.ZodType<T, unknown>): Promise<JsonResponse<T>> {
    const url = new URL(baseUrl + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const what = `${options.platform} ${request.method} ${request.path}`;
    const started = performance.now();

    let status: number;
    let headers: Headers;
    let bytes: Uint8Array;
    try {
      const response = await network.fetch(url, {
        method: request.method,
        headers: { accept: 'application/json', ...contentType(request), ...request.headers },
        body: request.form ? new URLSearchParams(request.form).toString() : request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      headers = response.headers;
      // The timeout covers reading the body too: a stalled stream aborts like a stalled connect.
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      // A host the network refused is a setting to change, not an outage to wait out: `auth` asks for a reconnect.
      if (isRefusedHost(err))
        throw new ConnectorError('auth', `${what} refused: the ${options.platform} host is not an allowed public https host; reconnect the account`);
      throw new ConnectorError('transient', `${what} failed: ${networkFailureReason(err, timeoutMs)}`);
    }
    const latencyMs = Math.round(performance.now() - started);
    const body = parseJson(bytes);

    if (status < 200 || status >= 300) {
      const details = options.classifyError({ status, body: body.ok ? body.value : undefined, headers });
      const kind = details.kind ?? kindForStatus(status);
      const retryAfterMs = details.retryAfterMs ?? (kind === 'rate_limited' ? parseRetryAfter(headers.get('retry-after')) : undefined);
      const message = scrub(`${what} answered HTTP ${status}${details.message ? `: ${details.message}` : ''}`, options.secrets);
      throw new ConnectorError(kind, message, { status, platformCode: details.platformCode, retryAfterMs });
    }
    if (!body.ok) throw new ConnectorError('malformed', `${what} answered a body that is not JSON`, { status });
    const parsed = schema.safeParse(body.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      // Zod may quote the offending value; scrub it like any platform text.
      throw new ConnectorError('malformed', scrub(`${what} answered an unexpected shape${where}: ${issue?.message ?? 'invalid'}`, options.secrets), { status });
    }
    return { body: parsed.data, bytesRead: bytes.byteLength, latencyMs, headers };
  }

  return { send };
}

/**
 * A `Retry-After` header as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable, so the caller's own backoff applies.
 */
export function parseRetryAfter(headerValue: string | null | undefined, now: number = Date.now()): number | undefined {
  const value = headerValue?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function contentType(request: JsonRequest): Record<string, string> {
  if (request.form) return { 'content-type': 'application/x-www-form-urlencoded' };
  return request.body === undefined ? {} : { 'content-type': 'application/json' };
}

/** Unknown 4xx answers mean the request itself is wrong: retrying the same request cannot help. */
function kindForStatus(status: number): ConnectorErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'transient';
  return 'malformed';
}

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

/**
 * Names the failure without the URL, which may carry query parameters a caller considers private.
 * Duck-typed: fetch's DOMException need not share this realm's `Error` (e.g. under jest's vm contexts).
 */
function networkFailureReason(err: unknown, timeoutMs: number): string {
  const { name, cause } = (err ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  return typeof cause?.code === 'string' ? `network error ${cause.code}` : 'network error';
}

function isRefusedHost(err: unknown): boolean {
  const { cause } = (err ?? {}) as { cause?: { code?: unknown } };
  return cause?.code === PLATFORM_HOST_REFUSED;
}

function scrub(message: string, secrets: readonly string[]): string {
  let scrubbed = message;
  for (const secret of secrets) if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('[redacted]');
  return scrubbed;
}
