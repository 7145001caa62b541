import { connectionCredentials } from '../db/repositories/connections';
import type { Connection } from '../db/schema';
import type { DataMode, DataSource } from '../domain/connection';
import type { StreamKind } from '../domain/platforms';
import type { DateWindow, MetricRecord } from '../domain/sync';
import type { Connector } from '../connectors/connector';
import { ConnectorError } from '../connectors/connector-error';
import { type ConnectionSourceDeps, resolveReadableSource } from './connection-source-selection';
import { PageQualityRejection, readRecords } from '../connectors/record-reader';
import type { ConnectorRegistry } from '../connectors/registry';

export interface ModeReadDeps extends ConnectionSourceDeps {
  connectors: ConnectorRegistry;
}

export interface ModeReadRequest {
  mode: DataMode;
  /** The stream to read; the serving source's first stream when absent. */
  stream?: StreamKind;
  window: DateWindow;
  limit: number;
  /**
   * Wraps the live connector before it is read: the integration suite's hybrid checks use it to
   * simulate a live outage or implausible live data on the real hybrid path.
   */
  wrapLive?: (live: Connector) => Connector;
}

export interface ModeRead {
  mode: DataMode;
  source: DataSource;
  /** Why mock served a mode that prefers live (chosen up front, or a hybrid fallback); null otherwise. */
  fallbackReason: string | null;
  stream: StreamKind;
  records: MetricRecord[];
  /** True when there are more records after these. */
  more: boolean;
}

/**
 * Reads the first records of a connection in a data mode, the way POST /platform-connections/data
 * starts a listing: the mode's source (domain/source-selection.ts); in hybrid, a live failure or a
 * live page failing the quality gate is answered from mock, with the reason. Live and auto-chosen
 * live failures are thrown (ConnectorError), never served from mock; a connection that may not be
 * read live (resolveReadableSource) is refused (ConnectionReadRefused) or, in hybrid, served by mock.
 */
export async function readInMode(deps: ModeReadDeps, connection: Connection, request: ModeReadRequest): Promise<ModeRead> {
  const selection = await resolveReadableSource(deps, connection, request.mode);
  const connectorFor = (source: DataSource): Connector => {
    const credentials = source === 'live' ? deps.vault.open(connection.id, connectionCredentials(connection)) : {};
    const connector = deps.connectors.create({ platform: connection.platform, source, accountId: connection.account_id, credentials });
    return source === 'live' && request.wrapLive ? request.wrapLive(connector) : connector;
  };
  const read = async (source: DataSource, fallbackReason: string | null): Promise<ModeRead> => {
    const connector = connectorFor(source);
    const streams = connector.listStreams();
    const stream = request.stream && streams.includes(request.stream) ? request.stream : streams[0];
    if (!stream) throw new ConnectorError('malformed', `The ${source} source of ${connection.platform} serves no streams`);
    const result = await readRecords(connector, {
      stream,
      window: request.window,
      limit: request.limit,
      position: { pageCursor: null, skip: 0 },
      pageQualityCheck: request.mode === 'hybrid' && source === 'live',
    });
    return { mode: request.mode, source, fallbackReason, stream, records: result.records, more: result.next !== null };
  };

  if (selection.source === 'mock') return read('mock', selection.reason);
  try {
    return await read('live', null);
  } catch (err) {
    const liveFailure = err instanceof ConnectorError || err instanceof PageQualityRejection;
    if (!liveFailure || request.mode !== 'hybrid') throw err;
    // The same reason format as POST /platform-connections/data.
    return read('mock', `${err instanceof PageQualityRejection ? 'quality gate' : `live ${err.kind} failure`}: ${err.message}`);
  }
}
