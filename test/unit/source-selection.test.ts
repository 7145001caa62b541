import { AUTO_HEALTH_LOOKBACK_MS, type RecentSync, recentLiveFailureRun, selectSource, type SourceSelectionInput } from '../../domain/source-selection';

const now = new Date('2026-03-01T12:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const base: SourceSelectionInput = { mode: 'auto', hasCredentials: true, connectionStatus: 'active', recentSyncs: [], now };
const liveFailed = (minutes: number): RecentSync => ({ status: 'failed', source: 'live', fellBack: false, startedAt: ago(minutes) });
const liveOk = (minutes: number): RecentSync => ({ status: 'completed', source: 'live', fellBack: false, startedAt: ago(minutes) });
const fellBack = (minutes: number): RecentSync => ({ status: 'completed', source: 'mock', fellBack: true, startedAt: ago(minutes) });
const chosenMock = (minutes: number): RecentSync => ({ status: 'completed', source: 'mock', fellBack: false, startedAt: ago(minutes) });

describe('selectSource', () => {
  it('mock and live are what they say, whatever the connection looks like', () => {
    expect(selectSource({ ...base, mode: 'mock' })).toEqual({ source: 'mock', reason: null });
    expect(
      selectSource({
        ...base,
        mode: 'live',
        hasCredentials: false,
        connectionStatus: 'reauth_required',
        recentSyncs: [liveFailed(1), liveFailed(2), liveFailed(3)],
      }),
    ).toEqual({ source: 'live', reason: null });
  });

  it('auto: live with credentials and health; mock, with the reason, otherwise', () => {
    expect(selectSource(base)).toEqual({ source: 'live', reason: null });
    expect(selectSource({ ...base, hasCredentials: false })).toEqual({ source: 'mock', reason: 'no credentials for the live platform' });
    expect(selectSource({ ...base, connectionStatus: 'reauth_required' })).toEqual({ source: 'mock', reason: 'the connection needs re-authorisation' });
    expect(selectSource({ ...base, recentSyncs: [liveFailed(1), fellBack(2), liveFailed(3)] })).toEqual({
      source: 'mock',
      reason: 'the last 3 live syncs failed',
    });
    expect(selectSource({ ...base, recentSyncs: [liveFailed(1), liveFailed(2), liveOk(3), liveFailed(4)] })).toEqual({ source: 'live', reason: null });
  });

  it('hybrid: live whenever it can try; the fallback happens during the sync, not here', () => {
    expect(selectSource({ ...base, mode: 'hybrid', recentSyncs: [liveFailed(1), liveFailed(2), liveFailed(3)] })).toEqual({ source: 'live', reason: null });
    expect(selectSource({ ...base, mode: 'hybrid', hasCredentials: false }).source).toBe('mock');
  });
});

describe('recentLiveFailureRun', () => {
  it('counts live failures and fallbacks in a row, newest first; a live success ends the run, a chosen mock sync does not', () => {
    expect(recentLiveFailureRun([liveFailed(1), chosenMock(2), liveFailed(3), liveOk(4), liveFailed(5)], now)).toBe(2);
    expect(recentLiveFailureRun([liveOk(1), liveFailed(2)], now)).toBe(0);
    expect(recentLiveFailureRun([{ ...liveFailed(1), status: 'cancelled' }, liveFailed(2)], now)).toBe(1);
  });

  it('forgets failures older than the lookback, so auto tries live again', () => {
    const old = AUTO_HEALTH_LOOKBACK_MS / 60_000 + 1;
    expect(recentLiveFailureRun([liveFailed(1), liveFailed(old), liveFailed(old + 1)], now)).toBe(1);
  });
});
