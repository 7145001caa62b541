import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { type PlatformRequestObservation, createConnectorRegistry } from '../../../connectors/registry';
import { withPlatformRequestTiming } from '../../../connectors/timed-registry';
import { EMULATOR_NETWORK } from '../../setup/connector-test-kit';

describe('platform request timing', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator('google_ads');
  });
  afterAll(() => emulator.close());

  it('times each live page request with its outcome, and leaves mock connectors unmeasured', async () => {
    const observations: PlatformRequestObservation[] = [];
    const registry = withPlatformRequestTiming(
      createConnectorRegistry({ baseUrls: { google_ads: emulator.url }, timeoutMs: 5_000, network: EMULATOR_NETWORK }),
      (o) => observations.push(o),
    );
    const request = { stream: 'ad_performance' as const, cursor: null, window: { startDate: '2026-02-01', endDate: '2026-02-01' } };
    const target = { platform: 'google_ads' as const, accountId: emulator.shape.accountId, credentials: { ...emulator.credentials } };

    emulator.faults.set({ latencyMs: 150 });
    await registry.create({ ...target, source: 'live' }).fetchPage(request);
    emulator.faults.set({ latencyMs: 0, failNext: { status: 401, count: 1 } });
    await expect(registry.create({ ...target, source: 'live' }).fetchPage(request)).rejects.toMatchObject({ kind: 'auth' });
    await registry.create({ ...target, source: 'mock' }).fetchPage(request);

    expect(observations.map((o) => [o.platform, o.outcome])).toEqual([
      ['google_ads', 'ok'],
      ['google_ads', 'auth'],
    ]);
    expect(observations[0]!.seconds).toBeGreaterThan(0.14); // the 150 ms the platform took (timers may fire a millisecond early)
  });
});
