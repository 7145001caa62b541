import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';

/** What a client's X-Request-Id may look like to be kept at all. */
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Every request gets an id of ours (X-Request-Id on the answer): a client's X-Request-Id would let
 * it forge audit entries' request ids, or collide with another request's. A well-formed client id
 * is kept beside ours (X-Client-Request-Id, the audit entry's details); a malformed one is dropped.
 */
export function requestIds() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const given = c.req.header('x-request-id');
    const clientRequestId = given !== undefined && WELL_FORMED.test(given) ? given : undefined;
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('clientRequestId', clientRequestId);
    c.header('X-Request-Id', requestId);
    if (clientRequestId) c.header('X-Client-Request-Id', clientRequestId);
    await next();
  });
}
