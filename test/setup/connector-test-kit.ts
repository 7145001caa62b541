import type { Connector, FetchPageRequest } from '../../connectors/connector';
import { ConnectorError } from '../../connectors/connector-error';
import type { MetricRecord } from '../../domain/sync';
import { createPlatformNetwork } from '../../connectors/platform-network';

/** The development setting (ALLOW_LOOPBACK_PLATFORM_HOSTS=true) the emulators need: they listen on loopback, over plain http. */
export const EMULATOR_NETWORK = createPlatformNetwork({ allowLoopback: true });

/** Follows a stream's cursors to the end (at most 1,000 pages, so a cursor loop fails the test instead of hanging). */
export async function readAllPages(connector: Connector, from: FetchPageRequest): Promise<{ records: MetricRecord[]; pages: number }> {
  const records: MetricRecord[] = [];
  let cursor = from.cursor;
  let pages = 0;
  do {
    const page = await connector.fetchPage({ ...from, cursor });
    records.push(...page.records);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 1_000);
  return { records, pages };
}

/** The ConnectorError a call fails with; its message must not carry any of `secrets`. */
export async function connectorFailure(work: Promise<unknown>, secrets: readonly string[]): Promise<ConnectorError> {
  const outcome = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(outcome instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(outcome)}`);
  for (const secret of secrets) expect(outcome.message).not.toContain(secret);
  return outcome;
}
