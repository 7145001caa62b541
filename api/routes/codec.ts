import type { Payload } from '@temporalio/common';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { authenticate } from '../middleware/authenticate';
import { authorize } from '../middleware/authorize';
import { validate } from '../middleware/validate';

/** Temporal's codec server protocol: payloads in protobuf JSON form, bytes as base64. */
const PayloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.base64()).optional(), data: z.base64().optional() })).max(1000),
});
type JsonPayload = z.infer<typeof PayloadsBody>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});

/**
 * The codec server the Temporal Web UI calls to show encrypted payloads in clear: POST
 * /codec/decode and /codec/encode. Authorised like the API, by a bearer token or, for a UI that
 * cannot send headers, a token in the path (/codec/{token}/decode). CORS admits the UI's origin.
 */
export function codecRoutes(deps: AppDeps) {
  const codec = new Hono<AppEnv>();
  codec.use(cors({ origin: deps.codecCorsOrigins, allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['authorization', 'content-type', 'x-namespace'], credentials: true }));
  // The path-token form needs its own pattern: a '*' middleware does not see the route's :token.
  codec.use('/:token/*', authenticate(deps.jwtSecret, { pathTokenParam: 'token' }));
  codec.use('/decode', authenticate(deps.jwtSecret));
  codec.use('/encode', authenticate(deps.jwtSecret));
  codec.use(authorize);
  for (const prefix of ['', '/:token']) {
    codec.post(`${prefix}/decode`, validate('json', PayloadsBody), async (c) =>
      c.json({ payloads: (await deps.payloadCodec.decode(c.req.valid('json').payloads.map(fromJson))).map(toJson) }),
    );
    codec.post(`${prefix}/encode`, validate('json', PayloadsBody), async (c) =>
      c.json({ payloads: (await deps.payloadCodec.encode(c.req.valid('json').payloads.map(fromJson))).map(toJson) }),
    );
  }
  return codec;
}
