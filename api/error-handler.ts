import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ConnectionReadRefused } from '../domain/connection-read-refusal';
import { FailureType, type QuotaExhaustedDetails } from '../domain/errors';
import { type SingleRunWorkflow, WorkflowAlreadyRunning } from '../domain/workflow-already-running';
import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../observability/logger';
import { ApiError, type ErrorBody } from './api-error';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** The 409 code of a start refused while the workflow's one run is going; a sync's answer names the run to follow. */
const ALREADY_RUNNING: Record<SingleRunWorkflow, { code: string; namesRun: boolean }> = {
  connection_sync: { code: 'sync_already_running', namesRun: true },
  key_rotation: { code: 'rotation_running', namesRun: false },
  rollout: { code: 'rollout_already_started', namesRun: false },
};

/** The one place errors become responses. Unexpected errors are logged and answered without internals. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof ApiError) return c.json(err.body(), err.status);
    if (err instanceof WorkflowNotFoundError) {
      return c.json<ErrorBody>({ error: { code: 'not_found', message: 'Workflow not found', details: null } }, 404);
    }
    if (err instanceof WorkflowAlreadyRunning) {
      const { code, namesRun } = ALREADY_RUNNING[err.workflow];
      return c.json<ErrorBody>({ error: { code, message: err.message, details: namesRun ? { workflow_id: err.workflowId } : null } }, 409);
    }
    if (err instanceof ConnectionReadRefused) {
      // The org's rollout decides exposure (a permission); the connection's status is a state to fix first.
      const status = err.reason === 'not_exposed_by_rollout' ? 403 : 409;
      return c.json<ErrorBody>({ error: { code: err.reason, message: err.message, details: null } }, status);
    }
    if (err instanceof ApplicationFailure && err.type === FailureType.PlatformQuotaExhausted) {
      // The fleet's shared platform quota has no token for this request soon enough.
      const details = (err.details?.[0] ?? null) as QuotaExhaustedDetails | null;
      const retryAfter = details ? Math.max(1, Math.ceil((Date.parse(details.resumeAt) - Date.now()) / 1000)) : 60;
      c.header('Retry-After', String(retryAfter));
      return c.json<ErrorBody>(
        {
          error: {
            code: 'platform_quota_exhausted',
            message: err.message,
            details: details && { platform: details.platform, resume_at: details.resumeAt, quotas: details.quotas },
          },
        },
        429,
      );
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      // Hono's JSON validator raises this for an unparseable body.
      const code = /malformed json/i.test(err.message) ? 'malformed_json' : (CODE_BY_STATUS[status] ?? 'http_error');
      return c.json<ErrorBody>({ error: { code, message: err.message || code, details: null } }, status);
    }
    if (isPostgresDataException(err)) {
      // Validation should have caught it; a value Postgres cannot store is still the caller's mistake.
      return c.json<ErrorBody>({ error: { code: 'invalid_value', message: 'A value in the request cannot be stored', details: null } }, 400);
    }
    // The logger scrubs credentials from the path (a codec credential, a token in a query).
    logger.error({ err, path: c.req.path, method: c.req.method }, 'unhandled API error');
    return c.json<ErrorBody>({ error: { code: 'internal_error', message: 'Internal server error', details: null } }, 500);
  };
}

/** SQLSTATE class 22: data exceptions (invalid text encoding, out-of-range numbers, bad dates). */
function isPostgresDataException(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
