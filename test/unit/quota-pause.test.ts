import { QUOTA_RESUME_MARGIN_MS, quotaPauseMs } from '../../domain/quota-pause';

const NOW_MS = Date.parse('2026-03-01T12:00:00.000Z');
const resumeAt = (msFromNow: number) => ({ resumeAt: new Date(NOW_MS + msFromNow).toISOString() });

describe('quotaPauseMs', () => {
  it('pauses until the quota resets, plus a margin so the first request finds the new window open', () => {
    expect(QUOTA_RESUME_MARGIN_MS).toBe(500);
    expect(quotaPauseMs(resumeAt(3_000), NOW_MS)).toBe(3_500);
    expect(quotaPauseMs(resumeAt(6 * 3_600_000), NOW_MS)).toBe(6 * 3_600_000 + 500);
  });

  it('pauses for the margin alone when the reset has already passed (a late worker)', () => {
    expect(quotaPauseMs(resumeAt(0), NOW_MS)).toBe(500);
    expect(quotaPauseMs(resumeAt(-60_000), NOW_MS)).toBe(500);
  });

  it('does not pause for a failure that does not say when to resume', () => {
    expect(quotaPauseMs(undefined, NOW_MS)).toBeNull();
    expect(quotaPauseMs({ resumeAt: 'tomorrow' }, NOW_MS)).toBeNull();
    expect(quotaPauseMs({ resumeAt: '' }, NOW_MS)).toBeNull();
  });
});
