import { z } from 'zod';
import { DATA_MODES } from '../../domain/connection';
import { STREAM_KINDS } from '../../domain/platforms';
import type { CursorSigner } from '../../security/cursor-signer';
import { ConnectionRef, DataSourceName, DateRangeFields, withDateRange } from '../request-schemas';
import { DataModeName, DateWindowView, MetricRecordView, PlatformName, SourceName, StreamName } from '../response-schemas';

/** Most records one answer of POST /data carries; more come with `cursor`. */
export const MAX_DATA_RECORDS = 1000;
/** `limit` of a read of records (POST /data, POST /live-integration/hybrid-data): a JSON number, not a query text. */
export const DataRecordsLimit = z.number().int().min(1).max(MAX_DATA_RECORDS, `limit may be at most ${MAX_DATA_RECORDS}`).default(100);

export const ConnectionDataBody = withDateRange(
  z
    .object({
      connection_id: ConnectionRef,
      stream: z.enum(STREAM_KINDS).optional(),
      ...DateRangeFields,
      limit: DataRecordsLimit,
      /** Overrides the connection's data mode for this read. */
      mode: z.enum(DATA_MODES).optional(),
      /** `next_cursor` of the previous answer, with the same other fields. */
      cursor: z.string().min(1).max(4096).optional(),
    })
    .strict(),
);
export type ConnectionDataRequest = z.infer<typeof ConnectionDataBody>;

/** A page of a connection's records, all from one source; `next_cursor` (null on the last page) continues the listing. */
export const ConnectionDataResponse = z.object({
  connection_id: z.string(),
  platform: PlatformName,
  stream: StreamName,
  mode: DataModeName,
  source: SourceName,
  fallback_reason: z.string().nullable(),
  window: DateWindowView,
  records: z.array(MetricRecordView.extend({ source: SourceName })),
  next_cursor: z.string().nullable(),
});

/** What a `next_cursor` carries: the listing it continues and where it stands. Opaque to clients. */
const DataCursor = z
  .object({
    v: z.literal(1),
    connection_id: z.string(),
    stream: z.enum(STREAM_KINDS),
    start_date: z.string(),
    end_date: z.string(),
    mode: z.enum(DATA_MODES),
    /** The source that served the listing's first answer: a listing never switches source. */
    source: DataSourceName,
    fallback_reason: z.string().nullable(),
    page_cursor: z.string().nullable(),
    skip: z.number().int().nonnegative(),
  })
  .strict();
export type DataCursor = z.infer<typeof DataCursor>;

/** The cursor as a signed token: its fields are the server's, not the client's (the source above all). */
export function encodeDataCursor(cursor: DataCursor, signer: CursorSigner): string {
  return signer.sign(Buffer.from(JSON.stringify(cursor)).toString('base64url'));
}

/** Null when the token is not a cursor this server signed. */
export function decodeDataCursor(token: string, signer: CursorSigner): DataCursor | null {
  const payload = signer.open(token);
  if (payload === null) return null;
  try {
    const parsed = DataCursor.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
