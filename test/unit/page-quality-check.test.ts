import { checkPageQuality, describeQualityFailure } from '../../domain/page-quality-check';
import type { MetricRecord } from '../../domain/sync';

const good: MetricRecord = {
  stream: 'ad_performance',
  entityId: 'ad-1',
  date: '2026-02-01',
  entityName: 'Ad 1',
  parentId: 'set-1',
  impressions: 1000,
  clicks: 40,
  spend: 12.5,
  conversions: 3,
  revenue: 90,
  currency: 'USD',
  raw: {},
};

describe('checkPageQuality', () => {
  it('passes consistent records, an empty page and rows without metrics (contacts)', () => {
    expect(checkPageQuality([good, { ...good, entityId: 'ad-2', clicks: 1000, conversions: 1000 }])).toEqual({ passed: true });
    expect(checkPageQuality([])).toEqual({ passed: true });
    expect(checkPageQuality([{ ...good, stream: 'contacts', impressions: null, clicks: null, spend: null, conversions: null, revenue: null }])).toEqual({
      passed: true,
    });
  });

  it.each([
    ['clicks above impressions', { clicks: 1001 }, 'clicks_exceed_impressions', 'clicks'],
    ['conversions above clicks', { conversions: 41 }, 'conversions_exceed_clicks', 'conversions'],
    ['negative spend', { spend: -0.01 }, 'negative_value', 'spend'],
    ['negative revenue', { revenue: -5 }, 'negative_value', 'revenue'],
    ['a NaN', { clicks: Number.NaN }, 'not_a_number', 'clicks'],
    ['no entity id', { entityId: '  ' }, 'required_field', 'entityId'],
    ['no date', { date: '' }, 'required_field', 'date'],
    ['a date that is not YYYY-MM-DD', { date: '02/01/2026' }, 'required_field', 'date'],
    ['ad performance without impressions', { impressions: null }, 'required_field', 'impressions'],
  ] as const)('rejects %s', (_name, change, rule, field) => {
    const verdict = checkPageQuality([good, { ...good, ...change } as MetricRecord]);
    expect(verdict.passed).toBe(false);
    if (verdict.passed) return;
    expect(verdict.violations).toContainEqual(expect.objectContaining({ rule, field }));
  });

  it('compares only metrics that are present: an orders row without impressions is checked on clicks and conversions', () => {
    expect(checkPageQuality([{ ...good, stream: 'orders', impressions: null, clicks: 5, conversions: 9 }]).passed).toBe(false); // conversions > clicks
    expect(checkPageQuality([{ ...good, stream: 'orders', impressions: null, clicks: 5, conversions: null }]).passed).toBe(true);
  });

  it('stops at ten violations and describes the first ones without raw payloads', () => {
    const bad = Array.from({ length: 50 }, (_, i) => ({ ...good, entityId: `ad-${i}`, clicks: 5000, raw: { secret: 'do-not-echo' } }));
    const verdict = checkPageQuality(bad);
    expect(verdict.passed).toBe(false);
    if (verdict.passed) return;
    expect(verdict.violations).toHaveLength(10);
    const text = describeQualityFailure(verdict.violations);
    expect(text).toMatch(/^quality gate rejected live data: ad-0 2026-02-01: clicks \(5000\) exceed impressions \(1000\)/);
    expect(text).toContain('(and 7 more)');
    expect(text).not.toContain('do-not-echo');
  });
});
