import type { MetricRecord } from '../../domain/sync';
import { addDays, daysBetween } from '../../domain/sync';
import type { AccountShape } from './generator';
import { contactRow, generatedName } from './generator';
import { rngFor } from './random';

/**
 * Seeded orders and payments for the commerce and payments platforms (Shopify, WooCommerce,
 * Amazon, Stripe, PayPal). Orders are addressed by index from a fixed epoch and their creation
 * times grow with it, so id order is time order, as on the platforms, and an order is the same
 * whichever window reads it. Each order is paid by exactly one payment.
 */

export interface OrderLineItem {
  sku: string;
  title: string;
  quantity: number;
  /** Unit price, in major units. */
  price: number;
}

export interface OrderValues {
  index: number;
  /** Generic id; each platform's emulator derives its own id format from `index`. */
  id: string;
  /** Human order number, as storefronts show it (#1001, ...). */
  number: number;
  customerIndex: number;
  customerId: string;
  email: string;
  createdDate: string;
  /** ISO timestamp, UTC, increasing with `index` (strictly, below ~8,000 orders a day). */
  createdAt: string;
  currency: 'USD';
  lineItems: OrderLineItem[];
  subtotal: number;
  tax: number;
  total: number;
  /** Most orders are paid; a few are refunded. */
  financialStatus: 'paid' | 'refunded';
}

const PRODUCTS: [string, string, number][] = [
  ['TEE-BLK', 'Black tee', 24],
  ['HOOD-GRY', 'Grey hoodie', 59],
  ['CAP-NVY', 'Navy cap', 19],
  ['MUG-WHT', 'White mug', 14],
  ['BAG-TOTE', 'Canvas tote', 29],
];
const TAX_RATE = 0.08;

/** Orders start on this day, so an order's id and time never depend on the window asked for. */
export const ORDER_EPOCH = '2024-01-01';

/** Order `index` of an account: `ordersPerDay` orders a day from ORDER_EPOCH on, at jittered times. */
export function orderRow(shape: AccountShape, index: number): OrderValues {
  const rng = rngFor(shape.seed, shape.accountId, 'order', index);
  const offsetSeconds = Math.floor(((index + rng() * 0.9) * 86_400) / Math.max(1, shape.ordersPerDay));
  const createdDate = addDays(ORDER_EPOCH, Math.floor(offsetSeconds / 86_400));
  const createdAt = `${createdDate}T${clock(offsetSeconds % 86_400)}Z`;

  const customerIndex = Math.floor(rng() * Math.max(1, shape.contacts));
  const customer = contactRow(shape, createdDate, customerIndex);
  const lineItems = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => {
    const [sku, title, price] = PRODUCTS[Math.floor(rng() * PRODUCTS.length)]!;
    return { sku, title: generatedName(shape, title), quantity: 1 + Math.floor(rng() * 3), price };
  });
  const subtotal = round2(lineItems.reduce((sum, item) => sum + item.price * item.quantity, 0));
  const tax = round2(subtotal * TAX_RATE);
  return {
    index,
    id: `${shape.accountId}-o${String(index + 1).padStart(7, '0')}`,
    number: 1001 + index,
    customerIndex,
    customerId: customer.id,
    email: customer.email,
    createdDate,
    createdAt,
    currency: 'USD',
    lineItems,
    subtotal,
    tax,
    total: round2(subtotal + tax),
    financialStatus: rng() < 0.04 ? 'refunded' : 'paid',
  };
}

/** The indexes [from, to) of the orders created within the window's days; orders are in time order. */
export function orderIndexRange(shape: AccountShape, window: { startDate: string; endDate: string }): { from: number; to: number } {
  return orderIndexRangeAt(shape, Date.parse(`${window.startDate}T00:00:00Z`), Date.parse(`${window.endDate}T23:59:59.999Z`));
}

/**
 * The indexes [from, to) of the orders (and so of their payments) created within [fromMs, toMs], both inclusive,
 * for APIs that filter by instant (Stripe's `created[gte]`, PayPal's `start_date`). Both ends are binary searches.
 */
export function orderIndexRangeAt(shape: AccountShape, fromMs: number, toMs: number): { from: number; to: number } {
  const epochMs = Date.parse(`${ORDER_EPOCH}T00:00:00Z`);
  if (shape.ordersPerDay <= 0 || toMs < epochMs || toMs < fromMs) return { from: 0, to: 0 };
  const lastDay = new Date(toMs).toISOString().slice(0, 10);
  // No order is created later than the day after its nominal day, so this many indexes cover every order up to `toMs`.
  const upper = (daysBetween(ORDER_EPOCH, addDays(lastDay, 1)) + 1) * shape.ordersPerDay;
  const createdMs = (index: number) => Date.parse(orderRow(shape, index).createdAt);
  const from = lowerBound(upper, (i) => createdMs(i) >= fromMs);
  const to = lowerBound(upper, (i) => createdMs(i) > toMs);
  return { from, to: Math.max(from, to) };
}

export interface PaymentValues {
  index: number;
  id: string;
  orderId: string;
  orderNumber: number;
  customerId: string;
  email: string;
  /** Amount in minor units (cents), as payment platforms report it. */
  amountMinor: number;
  /** Processing fee in minor units. */
  feeMinor: number;
  currency: 'USD';
  createdDate: string;
  /** A few minutes after the order. */
  createdAt: string;
  status: 'succeeded' | 'refunded';
}

/** The payment of order `index`. */
export function paymentRow(shape: AccountShape, index: number): PaymentValues {
  const order = orderRow(shape, index);
  const amountMinor = Math.round(order.total * 100);
  return {
    index,
    id: `${shape.accountId}-p${String(index + 1).padStart(7, '0')}`,
    orderId: order.id,
    orderNumber: order.number,
    customerId: order.customerId,
    email: order.email,
    amountMinor,
    feeMinor: Math.round(amountMinor * 0.029) + 30,
    currency: order.currency,
    createdDate: order.createdDate,
    createdAt: order.createdAt,
    status: order.financialStatus === 'refunded' ? 'refunded' : 'succeeded',
  };
}

/** An order as a metrics row: one conversion worth its total. Platforms' currencies and order numbers (WooCommerce's are strings) pass as given. */
export function orderRecord(
  order: Pick<OrderValues, 'createdDate' | 'total'> & { number: number | string; currency: string; entityId: string; customerId: string | null },
  raw: Record<string, unknown>,
): MetricRecord {
  return {
    stream: 'orders',
    entityId: order.entityId,
    date: order.createdDate,
    entityName: `#${order.number}`,
    parentId: order.customerId,
    impressions: null,
    clicks: null,
    spend: null,
    conversions: 1,
    revenue: order.total,
    currency: order.currency,
    raw,
  };
}

/** A payment as a metrics row: revenue in major units. */
export function paymentRecord(
  payment: { entityId: string; date: string; amount: number; currency: string; customerId: string | null; description: string | null },
  raw: Record<string, unknown>,
): MetricRecord {
  return {
    stream: 'payments',
    entityId: payment.entityId,
    date: payment.date,
    entityName: payment.description,
    parentId: payment.customerId,
    impressions: null,
    clicks: null,
    spend: null,
    conversions: null,
    revenue: payment.amount,
    currency: payment.currency.toUpperCase(),
    raw,
  };
}

/** First index in [0, n) where `pass` holds, for a predicate that is monotonic in the index. */
function lowerBound(n: number, pass: (index: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pass(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
