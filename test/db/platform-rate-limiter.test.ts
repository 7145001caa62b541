import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createPlatformRateLimiter } from '../../services/platform-rate-limiter';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { DEFAULT_PLATFORM_QUOTAS, type PlatformQuota } from '../../domain/platform-quotas';
import { createRateLimitMetrics } from '../../observability/rate-limit-metrics';
import { busiestWindow } from '../setup/busiest-window';
import { testEnv } from '../setup/test-env';

/** Blocks the event loop, as a long GC pause or a CPU-bound task does: timers due meanwhile fire late. */
function stallProcess(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: nothing else runs
  }
}

describe('platform rate limiter (migrated Postgres)', () => {
  let database: DatabaseHandle;
  beforeAll(() => {
    database = createDatabase(testEnv('databaseUrl'), { max: 8 });
  });
  afterAll(() => database.close());

  it('makes a process stalled past its reserved slots reserve new ones rather than send them in a burst', async () => {
    const limit = 20;
    const quota: PlatformQuota = { kind: 'rolling', name: `per_second_${randomUUID().slice(0, 8)}`, scope: 'app', limit, windowSeconds: 1 };
    const registry = new Registry();
    const limiter = createPlatformRateLimiter({
      db: database.db,
      quotas: { ...DEFAULT_PLATFORM_QUOTAS, stripe: [quota] },
      metrics: createRateLimitMetrics(registry),
    });

    const sent: number[] = [];
    const requests = Array.from({ length: 40 }, () =>
      limiter.acquire({ platform: 'stripe', accountId: 'acct_stall' }).then(() => sent.push(performance.now())),
    );
    // Once the queue of reservations is made and its first slots are being spent, the process stalls
    // for longer than a dozen slots: those slots pass while nothing can be sent.
    await new Promise((resolve) => setTimeout(resolve, 400));
    stallProcess(700);
    await Promise.all(requests);

    expect(sent).toHaveLength(40);
    // The slots due during the stall were not spent together when it ended.
    expect(busiestWindow(sent, 1000)).toBeLessThanOrEqual(limit);
    const missed = (await registry.getSingleMetric('liftos_platform_request_slots_missed_total')!.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(missed).toBeGreaterThan(0);
  }, 30_000);
});
