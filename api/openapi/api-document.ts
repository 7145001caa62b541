import type { Env, Hono } from 'hono';
import { generateSpecs, resolver } from 'hono-openapi';
import { CODEC_DECODE_ROLE } from '../../security/access-token';
import { requiredAccess } from '../access-policy';
import { ErrorBody } from '../response-schemas';
import { INVALID_FIELDS } from './route-docs';

export type ApiDocument = Awaited<ReturnType<typeof generateSpecs>>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const DESCRIPTION = `Marketing platform connections synced into Postgres by durable Temporal workflows.

Every endpoint under /api/v1 needs \`Authorization: Bearer <token>\`; each operation's \`x-required-role\` is the
least role it needs (viewer < editor < admin), \`operator\` (a deployment operator's token, outside every org),
\`<role> or operator\`, or \`codec:decode\` (the Temporal Web UI's codec credential, in the path). Errors are
always \`{"error": {"code", "message", "details"}}\`.`;

/** `/connections/{id}` (OpenAPI) → `/connections/:id` (Hono, ACCESS_POLICY). */
const honoPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

/**
 * The API's OpenAPI 3.1 document: the routes' own declarations (api/openapi/route-docs.ts and the
 * validators), with what every route shares added here from the one place each is decided: the
 * required role and bearer security from ACCESS_POLICY, and the answers of authentication,
 * authorisation, the rate limit and the error handler. A route without a rule is public.
 */
export async function buildApiDocument<E extends Env>(app: Hono<E>): Promise<ApiDocument> {
  // ErrorBody is a named component: its schema here is the reference to it.
  const error = await resolver(ErrorBody, { options: { io: 'output' } }).toOpenAPISchema();
  const errorSchema = error.schema as { $ref: string };
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
  const document = await generateSpecs(app, {
    documentation: {
      info: { title: 'LiftOS Connect API', version: '1', description: DESCRIPTION },
      components: {
        schemas: error.components?.schemas,
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token (npm run token)' } },
      },
    },
    // /openapi.json is no static file; the reference page's files have no declaration, so they stay out anyway.
    excludeStaticFile: false,
    defaultValidationErrorResponse: errorResponse(`A query or path parameter is invalid (${INVALID_FIELDS})`),
  });
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      // A status the route documents already keeps its own description, with this cause added.
      const add = (status: number, description: string) => {
        const own = responses[status];
        if (own && 'description' in own && own.description) own.description = `${own.description}; or ${description[0]!.toLowerCase()}${description.slice(1)}`;
        else responses[status] = errorResponse(description);
      };
      const rule = requiredAccess(method.toUpperCase(), honoPath(path));
      add(500, 'An unexpected failure (logged; the answer carries no internals)');
      if (operation.requestBody) {
        // A route's own 400s already say that fields are checked (route-docs.ts).
        responses[400] ??= errorResponse(`The body is not JSON (malformed_json), or it is invalid (${INVALID_FIELDS})`);
        add(413, 'The body is larger than 64 KiB (payload_too_large)');
        add(415, 'The body is not declared as JSON (unsupported_media_type)');
      }
      if (rule === undefined) {
        operation.security = [];
        continue;
      }
      Object.assign(operation, { 'x-required-role': rule });
      // The Web UI's codec credential travels in the path, not in a header.
      operation.security = rule === CODEC_DECODE_ROLE ? [] : [{ bearer: [] }];
      const unauthenticated = 'No bearer token (unauthorized), or an invalid or expired one (invalid_token)';
      add(401, rule === CODEC_DECODE_ROLE ? 'The codec credential is wrong (invalid_token)' : unauthenticated);
      add(403, `The caller does not have the required role, ${rule} (forbidden)`);
      if (path.startsWith('/api/v1/')) add(429, "The token's requests a minute are spent (rate_limited, with Retry-After)");
    }
  }
  return document;
}
