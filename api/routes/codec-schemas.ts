import { z } from 'zod';

/** Temporal's codec server protocol: payloads in protobuf JSON form, bytes as base64. */
export const PayloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.base64()).optional(), data: z.base64().optional() })).max(1000),
});

/** The payloads decoded or encoded, in the order sent. */
export const PayloadsResponse = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.base64()), data: z.base64().optional() })),
});
