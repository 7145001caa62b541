import type { StreamKind } from '../domain/platforms';
import { checkPageQuality, describeQualityFailure } from '../domain/page-quality-check';
import type { DateWindow, MetricRecord } from '../domain/sync';
import type { Connector } from './connector';

/** Where a listing stands: the connector's cursor of the page being read, and how many of its records were already served. */
export interface ReadPosition {
  pageCursor: string | null;
  skip: number;
}

export interface RecordRead {
  records: MetricRecord[];
  /** Null when the stream has no more records in the window. */
  next: ReadPosition | null;
}

/** A live page the page quality check refused (hybrid reads). */
export class PageQualityRejection extends Error {
  override readonly name = 'PageQualityRejection';
}

/** Platform requests one read may make, so an answer stays quick even when pages come back empty. */
const MAX_PAGES_PER_READ = 20;

/**
 * Reads up to `limit` records of a stream straight from a connector (live platform or mock), from
 * `position` on. A page may hold more than the caller wants: the rest is served by the next read,
 * which asks the connector for the same page again and skips what it already served.
 */
export async function readRecords(
  connector: Connector,
  request: { stream: StreamKind; window: DateWindow; limit: number; position: ReadPosition; pageQualityCheck: boolean },
): Promise<RecordRead> {
  const records: MetricRecord[] = [];
  let position: ReadPosition = request.position;
  for (let pages = 0; pages < MAX_PAGES_PER_READ; pages++) {
    const page = await connector.fetchPage({ stream: request.stream, cursor: position.pageCursor, window: request.window, pageSize: request.limit });
    if (request.pageQualityCheck) {
      const verdict = checkPageQuality(page.records);
      if (!verdict.passed) throw new PageQualityRejection(describeQualityFailure(verdict.violations));
    }
    const wanted = request.limit - records.length;
    const available = page.records.slice(position.skip);
    records.push(...available.slice(0, wanted));
    if (available.length > wanted) return { records, next: { pageCursor: position.pageCursor, skip: position.skip + wanted } };
    if (page.nextCursor === null) return { records, next: null };
    position = { pageCursor: page.nextCursor, skip: 0 };
    if (records.length === request.limit) break;
  }
  return { records, next: position };
}
