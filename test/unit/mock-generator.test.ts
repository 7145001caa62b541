import { adCount, adPerformanceRow, adPerformanceRowCount, contactRow, DEFAULT_ACCOUNT_SHAPE, type AccountShape } from '../../connectors/mock/generator';
import { createMockConnector } from '../../connectors/mock/connector';
import { ORDER_EPOCH, orderIndexRange, orderRow, paymentRow } from '../../connectors/mock/commerce-generator';
import type { MetricRecord } from '../../domain/sync';

const shape: AccountShape = { ...DEFAULT_ACCOUNT_SHAPE, accountId: 'act_123456' };
const window = { startDate: '2026-01-01', endDate: '2026-03-31' };

describe('mock data generator', () => {
  const rows = Array.from({ length: adPerformanceRowCount(shape, window) }, (_, i) => adPerformanceRow(shape, window, i));

  it('yields one row per ad per day', () => {
    expect(rows).toHaveLength(90 * adCount(shape));
    expect(new Set(rows.map((r) => `${r.entity.adId}|${r.date}`)).size).toBe(rows.length);
  });

  it('keeps the metric relationships analysts rely on', () => {
    for (const r of rows) {
      expect(r.clicks).toBeLessThanOrEqual(r.impressions);
      expect(r.conversions).toBeLessThanOrEqual(r.clicks);
      expect(r.qualityScore).toBeGreaterThanOrEqual(1);
      expect(r.qualityScore).toBeLessThanOrEqual(10);
    }
    // spend = clicks × a per-ad CPC within ±2 %: the day-to-day CPC of one ad stays within that band.
    const byAd = new Map<string, number[]>();
    for (const r of rows.filter((x) => x.clicks > 20)) byAd.set(r.entity.adId, [...(byAd.get(r.entity.adId) ?? []), r.spend / r.clicks]);
    for (const cpcs of byAd.values()) expect(Math.max(...cpcs) / Math.min(...cpcs)).toBeLessThan(1.05);
  });

  it('has a weekly seasonality: weekends see fewer impressions than weekdays', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    const weekend = mean(rows.filter((r) => [0, 6].includes(weekday(r.date))).map((r) => r.impressions));
    const weekdays = mean(rows.filter((r) => ![0, 6].includes(weekday(r.date))).map((r) => r.impressions));
    expect(weekend / weekdays).toBeLessThan(0.85);
  });

  it('is deterministic and independent of paging', () => {
    expect(adPerformanceRow(shape, window, 1234)).toEqual(adPerformanceRow(shape, window, 1234));
    expect(adPerformanceRow({ ...shape, seed: 7 }, window, 10).impressions).not.toBe(adPerformanceRow(shape, window, 10).impressions);
    expect(contactRow(shape, '2026-03-31', 5)).toEqual(contactRow(shape, '2026-03-31', 5));
  });
});

describe('commerce generator', () => {
  const commerce: AccountShape = { ...shape, ordersPerDay: 6 };

  it('creates orders in time order from its epoch, each paid by one payment of its total', () => {
    const orders = Array.from({ length: 2_000 }, (_, i) => orderRow(commerce, i));
    expect(orders[0]!.createdDate).toBe(ORDER_EPOCH);
    for (let i = 1; i < orders.length; i++) expect(orders[i]!.createdAt > orders[i - 1]!.createdAt).toBe(true);
    for (const order of orders.slice(0, 200)) {
      expect(order.total).toBeCloseTo(order.subtotal + order.tax, 2);
      expect(paymentRow(commerce, order.index)).toMatchObject({ orderId: order.id, amountMinor: Math.round(order.total * 100), createdAt: order.createdAt });
    }
  });

  it('finds exactly the orders of a window', () => {
    const within = { startDate: '2024-02-10', endDate: '2024-02-20' };
    const { from, to } = orderIndexRange(commerce, within);
    expect(to - from).toBeGreaterThan(50);
    expect(orderRow(commerce, from).createdDate >= within.startDate && orderRow(commerce, from - 1).createdDate < within.startDate).toBe(true);
    expect(orderRow(commerce, to - 1).createdDate <= within.endDate && orderRow(commerce, to).createdDate > within.endDate).toBe(true);
    expect(orderIndexRange(commerce, { startDate: '2023-01-01', endDate: '2023-12-31' })).toEqual({ from: 0, to: 0 });
    expect(orderIndexRange({ ...commerce, ordersPerDay: 0 }, within)).toEqual({ from: 0, to: 0 });
  });
});

describe('mock connector', () => {
  it('pages through a stream exactly: every row once, in order, then a null cursor', async () => {
    const connector = createMockConnector({ platform: 'meta_business', accountId: 'act_1' });
    const all: MetricRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await connector.fetchPage({ stream: 'ad_performance', cursor, window, pageSize: 100 });
      all.push(...page.records);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(all).toHaveLength(90 * 18);
    expect(pages).toBe(Math.ceil((90 * 18) / 100));
    expect(new Set(all.map((r) => `${r.entityId}|${r.date}`)).size).toBe(all.length);
    expect(all[0]!.raw).toMatchObject({ ad_id: all[0]!.entityId });
  });

  it('serves email performance with the funnel intact (clicks ≤ received, orders ≤ clicks)', async () => {
    const page = await createMockConnector({ platform: 'klaviyo', accountId: 'k1' }).fetchPage({
      stream: 'email_performance',
      cursor: null,
      window,
      pageSize: 1000,
    });
    expect(page.records).toHaveLength(90 * 3);
    for (const r of page.records) {
      expect(r.clicks!).toBeLessThanOrEqual(r.impressions!);
      expect(r.conversions!).toBeLessThanOrEqual(r.clicks!);
    }
  });

  it('rejects a cursor it did not issue', async () => {
    const connector = createMockConnector({ platform: 'meta_business', accountId: 'act_1' });
    await expect(connector.fetchPage({ stream: 'ad_performance', cursor: 'abc', window })).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('offers only the streams it can generate for the platform', () => {
    expect(createMockConnector({ platform: 'meta_business', accountId: 'a' }).listStreams()).toEqual(['ad_performance']);
    expect(createMockConnector({ platform: 'klaviyo', accountId: 'a' }).listStreams()).toEqual(['contacts', 'email_performance']);
    expect(createMockConnector({ platform: 'stripe', accountId: 'a' }).listStreams()).toEqual(['payments', 'contacts']);
    expect(createMockConnector({ platform: 'snowflake', accountId: 'a' }).listStreams()).toEqual(['warehouse_rows']);
  });

  it('serves a window’s orders and their payments, each once, the same whichever window reads them', async () => {
    const connector = createMockConnector({ platform: 'shopify', accountId: 'shop-1' });
    const read = async (stream: 'orders' | 'payments', within: { startDate: string; endDate: string }) =>
      (await connector.fetchPage({ stream, cursor: null, window: within, pageSize: 100_000 })).records;
    const orders = await read('orders', window);
    const payments = await read('payments', window);
    expect(orders.length).toBeGreaterThan(300);
    expect(orders.every((o) => o.date >= window.startDate && o.date <= window.endDate)).toBe(true);
    expect(payments.map((p) => [p.date, p.revenue])).toEqual(orders.map((o) => [o.date, o.revenue]));
    const march = await read('orders', { startDate: '2026-03-01', endDate: '2026-03-31' });
    expect(march).toEqual(orders.filter((o) => o.date >= '2026-03-01'));
  });
});
