import { DEFAULT_RESTART_POLICY, describeCrash, planRestart } from '../../scripts/restart-backoff';

const policy = { initialDelayMs: 1_000, factor: 2, maxDelayMs: 30_000, stableAfterMs: 60_000 };

describe('planRestart', () => {
  it('doubles the delay with each crash in a row, up to the cap', () => {
    let crashes = 0;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const plan = planRestart(policy, crashes, 2_000);
      crashes = plan.crashesInARow;
      delays.push(plan.delayMs);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(crashes).toBe(8);
  });

  it('starts over after a run that stayed up long enough, and only then', () => {
    expect(planRestart(policy, 6, 60_000)).toEqual({ crashesInARow: 1, delayMs: 1_000 });
    expect(planRestart(policy, 6, 59_999)).toEqual({ crashesInARow: 7, delayMs: 30_000 });
  });

  it("restarts the stack's processes within a second of a first crash, never more than 30 s apart", () => {
    expect(planRestart(DEFAULT_RESTART_POLICY, 0, 0).delayMs).toBe(1_000);
    expect(planRestart(DEFAULT_RESTART_POLICY, 1_000, 0).delayMs).toBe(30_000);
  });
});

describe('describeCrash', () => {
  it('names the process, how it ended and when it comes back', () => {
    expect(describeCrash('worker', 4242, { code: null, signal: 'SIGKILL' }, { crashesInARow: 1, delayMs: 1_000 })).toBe(
      'worker (pid 4242) killed by SIGKILL; restarting in 1 s',
    );
    expect(describeCrash('api', 17, { code: 1, signal: null }, { crashesInARow: 3, delayMs: 4_000 })).toBe(
      'api (pid 17) exited with code 1; restarting in 4 s (crash 3 in a row)',
    );
  });
});
