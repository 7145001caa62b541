import type { DateWindow } from '../../domain/sync';
import { addDays, daysBetween } from '../../domain/sync';
import { type AccountShape, generatedName } from './generator';
import { rngFor } from './random';

/**
 * Seeded email campaign performance, in the style of the ad generator: rows are addressed by index,
 * and a row's values depend only on (seed, account, message, day), so any window or page agrees with any other.
 *
 * Keeps the email funnel: clicks ≤ opens ≤ received, orders ≤ clicks, weekends ~30 % quieter.
 */

export interface EmailMessage {
  messageId: string;
  campaignName: string;
}

export interface EmailPerformanceValues {
  message: EmailMessage;
  date: string;
  received: number;
  opened: number;
  clicked: number;
  orders: number;
  revenue: number;
}

/** Email campaigns run alongside ad campaigns: one campaign message per ad campaign. */
export function emailMessageCount(shape: AccountShape): number {
  return shape.campaigns;
}

export function emailMessage(shape: AccountShape, messageIndex: number): EmailMessage {
  const rng = rngFor(shape.seed, shape.accountId, 'email-message', messageIndex);
  const suffix = Math.floor(rng() * 36 ** 6)
    .toString(36)
    .toUpperCase()
    .padStart(6, '0');
  return { messageId: `${suffix}${String(messageIndex + 1).padStart(2, '0')}`, campaignName: generatedName(shape, `Newsletter ${messageIndex + 1}`) };
}

/** One row per campaign message per day. */
export function emailPerformanceRowCount(shape: AccountShape, window: DateWindow): number {
  return Math.max(0, daysBetween(window.startDate, window.endDate) + 1) * emailMessageCount(shape);
}

/** Row `index` of the window, days outermost. */
export function emailPerformanceRow(shape: AccountShape, window: DateWindow, index: number): EmailPerformanceValues {
  const messages = emailMessageCount(shape);
  const date = addDays(window.startDate, Math.floor(index / messages));
  const message = emailMessage(shape, index % messages);
  const messageRng = rngFor(shape.seed, shape.accountId, message.messageId);
  const audience = 500 + Math.floor(messageRng() * 4_500);
  const openRate = 0.15 + messageRng() * 0.3;
  const clickRate = 0.05 + messageRng() * 0.15;
  const orderRate = 0.02 + messageRng() * 0.08;

  const dayRng = rngFor(shape.seed, shape.accountId, message.messageId, date);
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  const seasonality = weekday === 0 || weekday === 6 ? 0.7 : 1;
  const received = Math.max(1, Math.round(audience * seasonality * (0.8 + dayRng() * 0.4)));
  const opened = Math.min(received, Math.round(received * openRate * (0.85 + dayRng() * 0.3)));
  const clicked = Math.min(opened, Math.round(opened * clickRate * (0.8 + dayRng() * 0.4)));
  const orders = Math.min(clicked, Math.round(clicked * orderRate * (0.6 + dayRng() * 0.8)));
  const revenue = Math.round(orders * (30 + dayRng() * 90) * 100) / 100;
  return { message, date, received, opened, clicked, orders, revenue };
}
