import { alertFingerprint, conditionHolds, type OpenAlert, planAlertChanges, severityAfter } from '../../domain/alert-evaluation';
import type { AlertRule } from '../../domain/alert-rules';

const rule: AlertRule = {
  id: 'r',
  name: 'Errors',
  type: 'error_rate',
  severity: 'medium',
  signal: { kind: 'sync_error_rate', minSyncs: 1 },
  windowSeconds: 3600,
  comparator: 'above',
  threshold: 0.25,
  escalation: [
    { afterSeconds: 600, severity: 'high' },
    { afterSeconds: 3600, severity: 'critical' },
  ],
  description: '',
};
const now = new Date('2026-03-01T12:00:00Z');
const open = (labels: Record<string, string>, minutesAgo: number, severity: OpenAlert['severity'] = 'medium'): OpenAlert => ({
  id: `a-${labels.platform}`,
  fingerprint: alertFingerprint('r', 'o', labels),
  severity,
  status: 'firing',
  startedAt: new Date(now.getTime() - minutesAgo * 60_000),
});

describe('alert evaluation', () => {
  it('compares above and below strictly and never fires on non-finite values', () => {
    expect([0.25, 0.26, NaN, Infinity].map((v) => conditionHolds(rule, v))).toEqual([false, true, false, false]);
    expect(conditionHolds({ ...rule, comparator: 'below', threshold: 60 }, 59.9)).toBe(true);
  });

  it('escalates to the highest step held long enough', () => {
    expect([0, 599, 600, 3599, 3600, 99_999].map((s) => severityAfter(rule, s))).toEqual(['medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });

  it('fingerprints ignore label order and tell orgs apart', () => {
    expect(alertFingerprint('r', 'o', { a: '1', b: '2' })).toBe(alertFingerprint('r', 'o', { b: '2', a: '1' }));
    expect(alertFingerprint('r', 'o', { a: '1' })).not.toBe(alertFingerprint('r', null, { a: '1' }));
  });

  it('fires new breaches, holds and escalates open ones, resolves the cleared and the unobserved', () => {
    const plan = planAlertChanges({
      rule,
      now,
      open: [open({ platform: 'meta' }, 15), open({ platform: 'tiktok' }, 5), open({ platform: 'shopify' }, 90, 'high'), open({ platform: 'klaviyo' }, 2)],
      observations: [
        { orgId: 'o', labels: { platform: 'google' }, value: 0.5 },
        { orgId: 'o', labels: { platform: 'google' }, value: 0.9 }, // duplicate group: ignored
        { orgId: 'o', labels: { platform: 'meta' }, value: 0.4 },
        { orgId: 'o', labels: { platform: 'tiktok' }, value: 0.3 },
        { orgId: 'o', labels: { platform: 'shopify' }, value: 0.3 },
        { orgId: 'o', labels: { platform: 'hubspot' }, value: 0.1 },
      ],
    });
    expect(plan.fire).toEqual([
      {
        fingerprint: alertFingerprint('r', 'o', { platform: 'google' }),
        orgId: 'o',
        labels: { platform: 'google' },
        value: 0.5,
        severity: 'medium',
        summary: 'Errors (platform=google): 0.5000 > 0.2500',
      },
    ]);
    expect(plan.hold).toEqual([
      { alertId: 'a-meta', value: 0.4, escalateTo: 'high' },
      { alertId: 'a-tiktok', value: 0.3, escalateTo: null },
      { alertId: 'a-shopify', value: 0.3, escalateTo: 'critical' },
    ]);
    expect(plan.resolve).toEqual(['a-klaviyo']);
  });
});
