import murmurhash from 'murmurhash';
import type { RolloutConfig } from '../../domain/rollout';
import { assignRollout, rolloutBucket, rolloutSourceFor, rolloutVariant } from '../../domain/rollout-assignment';

const CRITERIA = { success: { minSuccessRate: 0.9, maxErrorRate: 0.1, minSampleSize: 5 }, rollback: { maxErrorRate: 0.3, minSampleSize: 3 } };
const config = (over: Partial<RolloutConfig>): RolloutConfig => ({
  strategy: 'percentage',
  steps: [{ percentage: 10, minDurationSeconds: 1 }],
  ...CRITERIA,
  advance: 'automatic',
  analysisIntervalSeconds: 1,
  maxInconclusiveSeconds: 10,
  ...over,
});

describe('rollout assignment', () => {
  it('hashes with murmur3_32 as the reference test vectors say (UTF-8 included)', () => {
    expect(murmurhash.v3('', 0)).toBe(0);
    expect(murmurhash.v3('', 1)).toBe(0x514e28b7);
    expect(murmurhash.v3('test', 0)).toBe(0xba6bd213);
    expect(murmurhash.v3('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(murmurhash.v3('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
    expect(murmurhash.v3('ππππππππ', 0x9747b28c)).toBe(0xd58063c1);
    expect(rolloutBucket('rollout-1', 'user-1')).toBe(murmurhash.v3('rollout-1:user-1') % 100);
  });

  it('meets every target percentage within ±1 point over 100,000 users, and exposure only grows', () => {
    const id = '7d4f2c1e-0000-4000-8000-000000000001';
    const users = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
    const exposedAt = (percentage: number) =>
      users.map(
        (userId) =>
          assignRollout(
            { id, config: config({ steps: [{ percentage, minDurationSeconds: 1 }] }), stage: 'running', stepIndex: 0 },
            { userId, platform: 'google_ads' },
          ).exposed,
      );
    let previous = users.map(() => false);
    for (const target of [1, 5, 10, 20, 25, 33, 50, 75, 90, 99, 100]) {
      const exposed = exposedAt(target);
      const share = (100 * exposed.filter(Boolean).length) / users.length;
      expect(Math.abs(share - target)).toBeLessThanOrEqual(1);
      // Nobody exposed at a lower percentage drops out at a higher one.
      expect(previous.filter((was, i) => was && !exposed[i]).length).toBe(0);
      previous = exposed;
    }
    // Stable: evaluated again, a user lands in the same bucket.
    expect(rolloutBucket(id, 'user-42')).toBe(rolloutBucket(id, 'user-42'));
  });

  it('splits A/B variants by weight, independently of exposure', () => {
    const variants = [
      { name: 'live', weight: 70, source: 'live' as const },
      { name: 'control', weight: 30, source: 'mock' as const },
    ];
    const counts = { live: 0, control: 0 };
    for (let i = 0; i < 100_000; i++) counts[rolloutVariant('ab-1', `user-${i}`, variants)!.name as 'live' | 'control'] += 1;
    expect(counts.live / 100_000).toBeCloseTo(0.7, 2);
    const exposed = assignRollout(
      { id: 'ab-1', config: config({ strategy: 'ab_test', variants, steps: [{ percentage: 100, minDurationSeconds: 1 }] }), stage: 'running', stepIndex: 0 },
      { userId: 'user-1', platform: 'google_ads' },
    );
    expect(exposed).toEqual({
      exposed: true,
      variant: rolloutVariant('ab-1', 'user-1', variants)!.name,
      source: rolloutVariant('ab-1', 'user-1', variants)!.source,
    });
  });

  it('applies each strategy, its scope, and nothing once rolled back', () => {
    const subject = { userId: 'u-1', platform: 'google_ads' as const };
    const at = (c: RolloutConfig, stage: 'running' | 'rolled_back' | 'completed' | 'created' = 'running') =>
      assignRollout({ id: 'r', config: c, stage, stepIndex: 0 }, subject).exposed;
    const users = config({ strategy: 'user', groups: { beta: ['u-1'] }, steps: [{ groups: ['beta'], minDurationSeconds: 1 }] });
    expect(at(users)).toBe(true);
    expect(at(config({ strategy: 'user', steps: [{ users: ['u-2'], minDurationSeconds: 1 }] }))).toBe(false);
    expect(at(config({ strategy: 'platform', steps: [{ platforms: ['google_ads'], minDurationSeconds: 1 }] }))).toBe(true);
    expect(at(config({ strategy: 'platform', steps: [{ platforms: ['meta_business'], minDurationSeconds: 1 }] }))).toBe(false);
    const flag = config({ strategy: 'feature_flag', steps: [{ enabled: true, minDurationSeconds: 1 }] });
    expect(at(flag)).toBe(true);
    expect(at(flag, 'rolled_back')).toBe(false); // the kill switch
    expect(at(flag, 'created')).toBe(false);
    expect(at(config({ platforms: ['meta_business'], steps: [{ percentage: 100, minDurationSeconds: 1 }] }))).toBe(false);
    expect(at(config({ steps: [{ percentage: 0, minDurationSeconds: 1 }] }), 'completed')).toBe(true);
  });
});

describe('the source a rollout prescribes for an auto connection', () => {
  const subject = { userId: 'user-7', platform: 'google_ads' as const };
  const rollout = (over: Partial<Parameters<typeof rolloutSourceFor>[0][number]>) => ({
    id: 'r-1',
    name: 'live ads',
    config: config({ platforms: ['google_ads'] }),
    stage: 'running' as const,
    stepIndex: 0,
    ...over,
  });

  it('leaves the connection alone when no rollout governs its platform', () => {
    expect(rolloutSourceFor([], subject)).toBeNull();
    expect(rolloutSourceFor([rollout({ config: config({ platforms: ['meta_business'] }) })], subject)).toBeNull();
    expect(rolloutSourceFor([rollout({ stage: 'created' })], subject)).toBeNull();
  });

  it('serves live only to exposed users, and mock to everyone in scope once rolled back', () => {
    const zero = config({ platforms: ['google_ads'], steps: [{ percentage: 0, minDurationSeconds: 1 }] });
    const all = config({ platforms: ['google_ads'], steps: [{ percentage: 100, minDurationSeconds: 1 }] });
    expect(rolloutSourceFor([rollout({ config: zero })], subject)).toEqual({ source: 'mock', reason: 'not yet exposed by rollout "live ads"' });
    expect(rolloutSourceFor([rollout({ config: all })], subject)).toEqual({ source: 'live', reason: null });
    expect(rolloutSourceFor([rollout({ stage: 'completed' })], subject)).toEqual({ source: 'live', reason: null });
    expect(rolloutSourceFor([rollout({ config: all, stage: 'rolled_back' })], subject)).toEqual({
      source: 'mock',
      reason: 'rollout "live ads" was rolled back',
    });
    // The newest governing rollout decides.
    expect(rolloutSourceFor([rollout({ id: 'r-2', config: all }), rollout({ stage: 'rolled_back' })], subject)).toMatchObject({ source: 'live' });
  });
});
