import type { Payload } from '@temporalio/common';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { z } from 'zod';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { ApiError } from '../api-error';
import { authenticate, authenticateCodecCredential } from '../middleware/authenticate';
import { authorize } from '../middleware/authorize';
import { validate } from '../middleware/validate';
import { routeDocs } from '../openapi/route-docs';
import { PayloadsBody, PayloadsResponse } from './codec-schemas';

const describeRoute = routeDocs('Codec');
const UNDECODABLE = { 400: "A payload cannot be decoded with this deployment's keys (undecodable_payload)" };
const docs = {
  '/decode': describeRoute({ summary: "Decodes any org's Temporal payloads (bearer token)", responses: { 200: PayloadsResponse }, errors: UNDECODABLE }),
  '/:credential/decode': describeRoute({
    summary: "Decodes Temporal payloads for the Web UI, by the deployment's decode-only codec credential",
    responses: { 200: PayloadsResponse },
    errors: UNDECODABLE,
  }),
  '/encode': describeRoute({ summary: 'Encodes payloads as clients and workers do', responses: { 200: PayloadsResponse }, errors: UNDECODABLE }),
};

type JsonPayload = z.infer<typeof PayloadsBody>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
});

/** A payload the keyring cannot open is the caller's to fix (wrong deployment, lost key): 400, not a logged 500. */
async function transform(run: () => Promise<Payload[]>): Promise<ReturnType<typeof toJson>[]> {
  try {
    return (await run()).map(toJson);
  } catch (err) {
    throw new ApiError(400, 'undecodable_payload', err instanceof Error ? err.message : 'A payload cannot be decoded');
  }
}

/**
 * The codec server the Temporal Web UI calls to show encrypted payloads in clear. POST
 * /codec/decode and /codec/encode need a deployment operator's bearer token: payloads of every org
 * pass through them. A UI that cannot send headers calls /codec/{credential}/decode with the
 * deployment's decode-only codec credential (CODEC_UI_CREDENTIAL), which opens nothing else; there
 * is no path-credential encode. CORS admits the UI's origin.
 */
export function codecRoutes(deps: AppDeps) {
  const codec = new Hono<AppEnv>();
  codec.use(
    cors({
      origin: deps.codecCorsOrigins,
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['authorization', 'content-type', 'x-namespace'],
      credentials: true,
    }),
  );
  // The path-credential form needs its own pattern: a '*' middleware does not see the route's :credential.
  codec.use('/:credential/decode', authenticateCodecCredential(deps.codecUiCredential, 'credential'));
  codec.use('/decode', authenticate(deps.jwtSecret));
  codec.use('/encode', authenticate(deps.jwtSecret));
  codec.use(authorize);
  const decode = validate('json', PayloadsBody);
  for (const path of ['/decode', '/:credential/decode'] as const) {
    codec.post(path, docs[path], decode, async (c) =>
      c.json({ payloads: await transform(() => deps.payloadCodec.decode(c.req.valid('json').payloads.map(fromJson))) }),
    );
  }
  codec.post('/encode', docs['/encode'], validate('json', PayloadsBody), async (c) =>
    c.json({ payloads: await transform(() => deps.payloadCodec.encode(c.req.valid('json').payloads.map(fromJson))) }),
  );
  return codec;
}
