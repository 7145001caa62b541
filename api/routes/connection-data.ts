import { Hono } from 'hono';
import type { Connector } from '../../connectors/connector';
import { ConnectorError } from '../../connectors/connector-error';
import { resolveReadableSource } from '../../services/connection-source-selection';
import { PageQualityRejection, type ReadPosition, type RecordRead, readRecords } from '../../connectors/record-reader';
import { connectionCredentials } from '../../db/repositories/connections';
import type { Connection } from '../../db/schema';
import type { DataMode, DataSource } from '../../domain/connection';
import type { StreamKind } from '../../domain/platforms';
import type { DateWindow } from '../../domain/sync';
import { createCursorSigner } from '../../security/cursor-signer';
import { ApiError } from '../api-error';
import { presentMetricRecord } from '../presenters/metric-record';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { ConnectionDataBody, type ConnectionDataRequest, type DataCursor, decodeDataCursor, encodeDataCursor } from './connection-data-schemas';
import { ConnectionDataResponse } from './connection-data-schemas';
import { CONNECTION_READ_REFUSALS, QUOTA_EXHAUSTED, routeDocs } from '../openapi/route-docs';
import { loadOwnConnection } from '../own-connection';

const doc = routeDocs('Connection data')({
  summary: "A connection's records for a range, read through its connector (not Postgres), at most limit an answer",
  responses: { 200: ConnectionDataResponse },
  errors: {
    400: 'cursor is not a next_cursor of this listing (invalid_cursor)',
    403: CONNECTION_READ_REFUSALS[403],
    404: 'No connection of the org has this id',
    409: `${CONNECTION_READ_REFUSALS[409]}; or the listing was served live and the connection is now served by mock (listing_source_changed)`,
    422: 'The source does not serve this stream (stream_unavailable)',
    429: QUOTA_EXHAUSTED,
    502: 'The live platform failed: platform_auth_failed, platform_rate_limited, platform_unavailable, platform_malformed_response or platform_data_rejected',
  },
});

/** The listing a request continues or starts: which source serves it and from where. */
interface Listing {
  mode: DataMode;
  source: DataSource;
  fallbackReason: string | null;
  stream: StreamKind;
  window: DateWindow;
  position: ReadPosition;
}

/**
 * POST /platform-connections/data: a connection's records for a date range, read through its
 * connector (the live platform or the mock source, as the data mode decides), not from Postgres.
 * At most 1000 records an answer; `next_cursor` continues the listing from the same source.
 */
export function connectionDataRoutes(deps: AppDeps) {
  // Cursors are signed with a key derived from the API's token secret: a client cannot pick the source or position.
  const cursors = createCursorSigner(deps.jwtSecret, 'platform-connections/data cursor v1');
  function connectorFor(connection: Connection, source: DataSource): Connector {
    const credentials = source === 'live' ? deps.vault.open(connection.id, connectionCredentials(connection)) : {};
    return deps.connectors.create({ platform: connection.platform, source, accountId: connection.account_id, credentials });
  }

  /** The stream asked for, or the source's first; one the source does not serve is the caller's mistake. */
  function streamOf(connector: Connector, body: ConnectionDataRequest, source: DataSource): StreamKind {
    const streams = connector.listStreams();
    const stream = body.stream ?? streams[0];
    if (!stream || !streams.includes(stream)) {
      throw new ApiError(422, 'stream_unavailable', `The ${source} source of this connection serves ${streams.join(', ') || 'no streams'}`, {
        field: 'stream',
        streams,
      });
    }
    return stream;
  }

  async function startListing(connection: Connection, body: ConnectionDataRequest, mode: DataMode): Promise<Listing> {
    const selection = await resolveReadableSource(deps, connection, mode);
    const stream = streamOf(connectorFor(connection, selection.source), body, selection.source);
    return {
      mode,
      source: selection.source,
      fallbackReason: selection.reason,
      stream,
      window: { startDate: body.start_date, endDate: body.end_date },
      position: { pageCursor: null, skip: 0 },
    };
  }

  /**
   * A listing continued from its signed cursor: the source it was served by stays, but the connection
   * must still be readable from it now (disabled, re-authorisation, rollout since the first page).
   */
  async function continueListing(connection: Connection, body: ConnectionDataRequest, mode: DataMode, token: string): Promise<Listing> {
    const cursor = decodeDataCursor(token, cursors);
    const sameListing =
      cursor &&
      cursor.connection_id === connection.id &&
      cursor.mode === mode &&
      cursor.start_date === body.start_date &&
      cursor.end_date === body.end_date &&
      (body.stream === undefined || body.stream === cursor.stream);
    if (!sameListing)
      throw new ApiError(400, 'invalid_cursor', 'cursor is not a next_cursor of this listing (same connection, stream, range and mode)', { field: 'cursor' });
    const now = await resolveReadableSource(deps, connection, mode);
    if (cursor.source === 'live' && now.source !== 'live') {
      throw new ApiError(
        409,
        'listing_source_changed',
        `This listing was served live; the connection is now served by mock (${now.reason ?? 'its mode changed'}). Start the listing again.`,
      );
    }
    return {
      mode,
      source: cursor.source,
      fallbackReason: cursor.fallback_reason,
      stream: cursor.stream,
      window: { startDate: cursor.start_date, endDate: cursor.end_date },
      position: { pageCursor: cursor.page_cursor, skip: cursor.skip },
    };
  }

  return new Hono<AppEnv>().post('/', doc, validate('json', ConnectionDataBody), async (c) => {
    const body = c.req.valid('json');
    const connection = await loadOwnConnection(deps, c.get('principal').orgId, body.connection_id);
    const mode = body.mode ?? connection.data_mode;
    let listing = body.cursor ? await continueListing(connection, body, mode, body.cursor) : await startListing(connection, body, mode);

    const read = (l: Listing): Promise<RecordRead> =>
      readRecords(connectorFor(connection, l.source), {
        stream: l.stream,
        window: l.window,
        limit: body.limit,
        position: l.position,
        pageQualityCheck: l.mode === 'hybrid' && l.source === 'live',
      });
    let result: RecordRead;
    try {
      result = await read(listing);
    } catch (err) {
      const liveFailure = err instanceof ConnectorError || err instanceof PageQualityRejection;
      if (!liveFailure || listing.source !== 'live') throw asApiError(err);
      if (listing.mode !== 'hybrid') {
        await auditRead(listing, 0, 'failure');
        throw asApiError(err);
      }
      // Hybrid: served by mock instead. A listing never mixes sources, so a live listing that
      // breaks off starts over from mock (the answer's source and fallback_reason say so).
      listing = {
        ...listing,
        source: 'mock',
        fallbackReason: `${err instanceof PageQualityRejection ? 'quality gate' : `live ${err.kind} failure`}: ${err.message}`,
        position: { pageCursor: null, skip: 0 },
      };
      result = await read(listing).catch((mockErr: unknown) => {
        throw asApiError(mockErr);
      });
    }

    await auditRead(listing, result.records.length, 'success');
    const next: DataCursor | null = result.next && {
      v: 1,
      connection_id: connection.id,
      stream: listing.stream,
      start_date: listing.window.startDate,
      end_date: listing.window.endDate,
      mode: listing.mode,
      source: listing.source,
      fallback_reason: listing.fallbackReason,
      page_cursor: result.next.pageCursor,
      skip: result.next.skip,
    };
    return c.json({
      connection_id: connection.id,
      platform: connection.platform,
      stream: listing.stream,
      mode: listing.mode,
      source: listing.source,
      fallback_reason: listing.fallbackReason,
      window: { start_date: listing.window.startDate, end_date: listing.window.endDate },
      // Each record says its source as marketing_metrics.source would store it (a listing never mixes sources).
      records: result.records.map((r) => ({ ...presentMetricRecord(r), source: listing.source })),
      next_cursor: next && encodeDataCursor(next, cursors),
    });

    function auditRead(l: Listing, records: number, outcome: 'success' | 'failure') {
      return c.get('audit')({
        action: 'connection.data_read',
        targetType: 'connection',
        targetId: connection.id,
        outcome,
        details: {
          mode: l.mode,
          source: l.source,
          stream: l.stream,
          start_date: l.window.startDate,
          end_date: l.window.endDate,
          records,
          fallback_reason: l.fallbackReason,
        },
      });
    }
  });
}

/** Platform failures answer 502 with what kind they were; the message is the connector's, already scrubbed of credentials. */
function asApiError(err: unknown): unknown {
  if (err instanceof PageQualityRejection) return new ApiError(502, 'platform_data_rejected', err.message);
  if (!(err instanceof ConnectorError)) return err;
  const code = {
    auth: 'platform_auth_failed',
    rate_limited: 'platform_rate_limited',
    transient: 'platform_unavailable',
    malformed: 'platform_malformed_response',
  }[err.kind];
  return new ApiError(502, code, err.message, { kind: err.kind, status: err.details.status ?? null });
}
