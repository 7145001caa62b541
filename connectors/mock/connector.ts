import type { StreamKind } from '../../domain/platforms';
import { PLATFORMS } from '../../domain/platforms';
import type { PlatformId } from '../../domain/platforms';
import { contactRecord, type MetricRecord } from '../../domain/sync';
import type { Connector, FetchPageRequest, Page } from '../connector';
import { ConnectorError } from '../connector-error';
import { type AccountShape, DEFAULT_ACCOUNT_SHAPE, adPerformanceRecord, adPerformanceRow, adPerformanceRowCount, contactRow } from './generator';
import { orderIndexRange, orderRecord, orderRow, paymentRecord, paymentRow } from './commerce-generator';
import { emailPerformanceRow, emailPerformanceRowCount } from './email-generator';
import { hash32 } from './random';

/** Streams the generator can produce. */
const MOCK_STREAMS: readonly StreamKind[] = ['ad_performance', 'contacts', 'email_performance', 'orders', 'payments', 'warehouse_rows'];
const DEFAULT_PAGE_SIZE = 500;

/**
 * Serves a connection from the seeded generator, for `mock` data mode and as the fallback of `auto`/`hybrid`.
 * The cursor is the offset of the next row, so pages resume exactly.
 */
export function createMockConnector(options: { platform: PlatformId; accountId: string; shape?: Partial<AccountShape> }): Connector {
  const shape: AccountShape = {
    ...DEFAULT_ACCOUNT_SHAPE,
    seed: hash32(`${options.platform}:${options.accountId}`),
    accountId: options.accountId,
    ...options.shape,
  };
  const streams = PLATFORMS[options.platform].streams.filter((s) => MOCK_STREAMS.includes(s));

  return {
    platform: options.platform,
    source: 'mock',
    async testConnection() {
      return {
        ok: true,
        accountName: `Mock ${PLATFORMS[options.platform].name} account ${options.accountId}`,
        latencyMs: 0,
        message: 'Mock data source is always reachable',
      };
    },
    listStreams: () => streams,
    async fetchPage(request: FetchPageRequest): Promise<Page> {
      const offset = request.cursor === null ? 0 : Number(request.cursor);
      if (!Number.isInteger(offset) || offset < 0) throw new ConnectorError('malformed', `Invalid mock cursor for stream ${request.stream}`);
      const pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
      const { total, row } = streamRows(shape, request);
      const end = Math.min(total, offset + pageSize);
      const records: MetricRecord[] = [];
      for (let i = offset; i < end; i++) records.push(row(i));
      return { records, nextCursor: end < total ? String(end) : null, bytesRead: 0 };
    },
  };
}

function streamRows(shape: AccountShape, request: FetchPageRequest): { total: number; row: (index: number) => MetricRecord } {
  switch (request.stream) {
    case 'ad_performance':
    case 'warehouse_rows': {
      const stream = request.stream;
      return {
        total: adPerformanceRowCount(shape, request.window),
        row: (i) => {
          const v = adPerformanceRow(shape, request.window, i);
          return adPerformanceRecord(
            v,
            {
              ad_id: v.entity.adId,
              ad_name: v.entity.adName,
              adset_id: v.entity.adSetId,
              campaign_id: v.entity.campaignId,
              campaign_name: v.entity.campaignName,
              date: v.date,
              impressions: v.impressions,
              clicks: v.clicks,
              spend: v.spend,
              conversions: v.conversions,
              conversion_value: v.conversionValue,
              reach: v.reach,
              quality_score: v.qualityScore,
            },
            stream,
          );
        },
      };
    }
    case 'contacts':
      return {
        total: shape.contacts,
        row: (i) => {
          const c = contactRow(shape, request.window.endDate, i);
          return contactRecord({ entityId: c.id, date: c.createdDate, entityName: `${c.firstName} ${c.lastName}`, raw: { ...c } });
        },
      };
    case 'orders':
    case 'payments': {
      // Orders of the window, by creation time; each paid by one payment.
      const { from, to } = orderIndexRange(shape, request.window);
      return {
        total: to - from,
        row: (i) => {
          if (request.stream === 'orders') {
            const o = orderRow(shape, from + i);
            return orderRecord({ ...o, entityId: o.id }, { ...o });
          }
          const p = paymentRow(shape, from + i);
          return paymentRecord(
            {
              entityId: p.id,
              date: p.createdDate,
              amount: p.amountMinor / 100,
              currency: p.currency,
              customerId: p.customerId,
              description: `Order #${p.orderNumber}`,
            },
            { ...p },
          );
        },
      };
    }
    case 'email_performance':
      // Mapped as the Klaviyo connector maps its live aggregates: received as impressions, orders as conversions.
      return {
        total: emailPerformanceRowCount(shape, request.window),
        row: (i) => {
          const e = emailPerformanceRow(shape, request.window, i);
          return {
            stream: 'email_performance',
            entityId: e.message.messageId,
            date: e.date,
            entityName: e.message.campaignName,
            parentId: null,
            impressions: e.received,
            clicks: e.clicked,
            spend: null,
            conversions: e.orders,
            revenue: e.revenue,
            currency: 'USD',
            raw: {
              message_id: e.message.messageId,
              date: e.date,
              opened: e.opened,
              received: e.received,
              clicked: e.clicked,
              orders: e.orders,
              revenue: e.revenue,
            },
          };
        },
      };
    default:
      throw new ConnectorError('malformed', `The mock source has no ${request.stream} stream`);
  }
}
