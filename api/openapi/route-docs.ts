import type { MiddlewareHandler } from 'hono';
import { type DescribeRouteOptions, describeRoute, loadVendor, resolver } from 'hono-openapi';
import { z } from 'zod';
import { ErrorBody } from '../response-schemas';

type ToJsonSchema = NonNullable<Parameters<typeof loadVendor>[1]['toJSONSchema']>;
/**
 * Schemas become JSON Schema by zod's own converter, registered here: hono-openapi would otherwise
 * load it on first use through a dynamic import(), which CommonJS under jest cannot run.
 */
const zodToJsonSchema: ToJsonSchema = (schema, options) =>
  z.toJSONSchema(schema as z.ZodType, options as Parameters<typeof z.toJSONSchema>[1]) as Awaited<ReturnType<ToJsonSchema>>;
loadVendor('zod', { toJSONSchema: zodToJsonSchema });

/** What a validator's refusal carries. */
export const INVALID_FIELDS = 'validation_error, with each field refused in details';

/** Answers are documented as the schema's output (what the server writes), requests as its input. */
const AS_WRITTEN = { options: { io: 'output' } };

type ResponseDoc = NonNullable<DescribeRouteOptions['responses']>[string];

/** A JSON answer of `schema`. */
function jsonResponse(schema: z.ZodType, description: string) {
  return { description, content: { 'application/json': { schema: resolver(schema, AS_WRITTEN) } } };
}

/** An error answer: the error envelope, `description` saying when it comes. */
function errorResponse(description: string) {
  return jsonResponse(ErrorBody, description);
}

/** Refusals of a read of a connection's source (ConnectionReadRefused, in api/error-handler.ts). */
export const CONNECTION_READ_REFUSALS = {
  403: "The org's rollout does not expose the connection to live data (not_exposed_by_rollout)",
  409: 'The connection cannot be read now: connection_disabled, connection_reauth_required or connection_not_active',
};

/** The fleet's shared quota of the platform has no token soon enough (api/error-handler.ts). */
export const QUOTA_EXHAUSTED = "The platform's quota is spent (platform_quota_exhausted, with Retry-After and the quotas in details)";

const SUCCESS_DESCRIPTIONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: a workflow goes on with the work',
  204: 'Done; no body',
};

export interface RouteDoc {
  summary: string;
  /**
   * Each status the route answers with its own body: the JSON body's schema (null: no body), the
   * schema with a description of when, or a body of another media type. The error envelope's statuses go in `errors`.
   */
  responses: Partial<Record<number, z.ZodType | null | [z.ZodType, string] | { media: string[]; description: string }>>;
  /**
   * The route's own refusals, each with when it answers them. What every route may answer (a refused
   * token, role or field, a spent rate limit, an unexpected failure) is added by api/openapi/api-document.ts.
   */
  errors?: Partial<Record<number, string>>;
}

/**
 * Documents the routes of one resource (one tag of the document): the middleware it makes of a
 * route's RouteDoc goes beside the route's validators. The required role comes from ACCESS_POLICY (api/openapi/api-document.ts).
 */
export function routeDocs(tag: string): (doc: RouteDoc) => MiddlewareHandler {
  return (doc) => {
    const responses: Record<string, ResponseDoc> = {};
    for (const [status, answer] of Object.entries(doc.responses)) {
      if (answer === undefined) continue;
      if (answer !== null && 'media' in answer) {
        responses[status] = { description: answer.description, content: Object.fromEntries(answer.media.map((media) => [media, {}])) };
        continue;
      }
      const [schema, description] = Array.isArray(answer) ? answer : [answer, SUCCESS_DESCRIPTIONS[Number(status)] ?? 'OK'];
      responses[status] = schema === null ? { description } : jsonResponse(schema, description);
    }
    for (const [status, description] of Object.entries(doc.errors ?? {})) {
      // A route's own 400s come on top of its validators' (which would otherwise document the status).
      if (description) responses[status] = errorResponse(status === '400' ? `${description}; or a field is invalid (${INVALID_FIELDS})` : description);
    }
    return describeRoute({ tags: [tag], summary: doc.summary, responses });
  };
}
