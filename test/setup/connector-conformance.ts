import type { Connector, ConnectorConfig, FetchPageRequest } from '../../connectors/connector';
import { type EmulatedPlatform, type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { connectorFailure } from './connector-test-kit';

/**
 * The failure cases every connector must classify alike, whatever its platform: 5xx and network
 * failures are transient (retried), an unreadable body is malformed (not retried), and no error
 * message carries a credential. Part of the conformance suite (test/unit/connectors/conformance.test.ts).
 */
export function itClassifiesPlatformFaults(subject: {
  platform: EmulatedPlatform;
  emulator: () => RunningEmulator;
  connect: (overrides?: Partial<ConnectorConfig>) => Connector;
  request: FetchPageRequest;
  /** Credential values no error message may carry. */
  secrets: () => readonly string[];
}): void {
  const failureOf = (work: Promise<unknown>) => connectorFailure(work, subject.secrets());

  it.each([500, 503] as const)('classifies HTTP %i as transient, and the next request succeeds', async (status) => {
    subject.emulator().faults.set({ failNext: { status, count: 1 } });
    expect(await failureOf(subject.connect().fetchPage(subject.request))).toMatchObject({ kind: 'transient', details: { status } });
    await expect(subject.connect().fetchPage(subject.request)).resolves.toMatchObject({ records: expect.any(Array) });
  });

  it('classifies an unreadable body as malformed', async () => {
    subject.emulator().faults.set({ malformedNext: 1 });
    expect(await failureOf(subject.connect().fetchPage(subject.request))).toMatchObject({ kind: 'malformed' });
  });

  it('classifies a timeout and a refused connection as transient', async () => {
    subject.emulator().faults.set({ latencyMs: 300 });
    expect(await failureOf(subject.connect({ timeoutMs: 50 }).fetchPage(subject.request))).toMatchObject({ kind: 'transient' });
    const closed = await startEmulator(subject.platform);
    await closed.close();
    expect(await failureOf(subject.connect({ baseUrl: closed.url }).fetchPage(subject.request))).toMatchObject({ kind: 'transient' });
  });
}
