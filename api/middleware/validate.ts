import { zValidator } from '@hono/zod-validator';
import type { MiddlewareHandler, ValidationTargets } from 'hono';
import { every } from 'hono/combine';
import { createMiddleware } from 'hono/factory';
import { resolver, uniqueSymbol } from 'hono-openapi';
import type { ZodSchema } from 'zod';
import { ApiError } from '../api-error';

/**
 * A body must be declared as JSON: Hono's JSON validator would otherwise read an undeclared body
 * as `{}` and answer with misleading field errors. An empty body (optional bodies) passes.
 */
const requireJsonContentType = createMiddleware(async (c, next) => {
  // Hono caches the text, so the validator reads the same body afterwards.
  const hasBody = (await c.req.text()).length > 0;
  if (hasBody && !/^application\/([a-z.+-]*\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json');
  }
  await next();
});

/**
 * What the OpenAPI document says of a validated request (hono-openapi reads it off the middleware):
 * the query's or path's parameters, or the body (required unless the schema takes none). The
 * answers of a refused request are added by api/openapi/api-document.ts.
 */
function documentation(target: keyof ValidationTargets, schema: ZodSchema) {
  if (target !== 'json') return { target, ...resolver(schema) };
  return { spec: { requestBody: { required: !schema.safeParse(undefined).success, content: { 'application/json': { schema: resolver(schema) } } } } };
}

/** zod validation with field-level details in the API's error format, documented in the OpenAPI document. */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodSchema>(target: Target, schema: Schema) {
  const validator = zValidator(target, schema, (result) => {
    if (!result.success) {
      const details = result.error.issues.map((issue) => ({ field: issue.path.join('.') || null, message: issue.message }));
      throw new ApiError(400, 'validation_error', `Invalid ${target === 'json' ? 'request body' : target}`, details);
    }
  });
  const middleware = target === 'json' ? (every(requireJsonContentType as MiddlewareHandler, validator) as typeof validator) : validator;
  return Object.assign(middleware, { [uniqueSymbol]: documentation(target, schema) });
}
