import { z } from 'zod';
import { ConnectorError } from '../connector-error';
import { returnCodeDetails } from './return-codes';

/** A TikTok answer, `{code, message, request_id, data}`, with `data` read only when `code` is 0 (TikTok sends `{}` otherwise). */
export type TikTokReply<T> = { ok: true; data: T } | { ok: false; code: number; message: string };

const envelopeSchema = z.object({ code: z.number().int(), message: z.string().default(''), request_id: z.string().optional(), data: z.unknown() });

export function tiktokReply<T>(data: z.ZodType<T, unknown>): z.ZodType<TikTokReply<T>, unknown> {
  return envelopeSchema.transform((envelope, ctx): TikTokReply<T> => {
    if (envelope.code !== 0) return { ok: false, code: envelope.code, message: envelope.message };
    const parsed = data.safeParse(envelope.data);
    if (parsed.success) return { ok: true, data: parsed.data };
    // Re-rooted under `data` so the HTTP client's malformed-shape message points at the field.
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['data', ...issue.path] });
    return z.NEVER;
  });
}

/**
 * The failure a non-zero return code stands for. Codes that name no retryable condition mean the request itself is
 * wrong, which a retry cannot fix. The platform's text is scrubbed of credentials, as the HTTP client scrubs its own.
 */
export function returnCodeError(what: string, reply: { code: number; message: string }, secrets: readonly string[]): ConnectorError {
  const { kind, platformCode, retryAfterMs } = returnCodeDetails(reply.code, reply.message);
  let message = `${what} answered code ${reply.code}: ${reply.message}`;
  for (const secret of secrets) if (secret.length >= 4) message = message.split(secret).join('[redacted]');
  return new ConnectorError(kind ?? 'malformed', message, { status: 200, platformCode, retryAfterMs });
}
