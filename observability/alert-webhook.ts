import { createHmac } from 'node:crypto';

/** The signature header value of a webhook body: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const WEBHOOK_SIGNATURE_HEADER = 'X-LiftOS-Signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'X-LiftOS-Timestamp';
export const WEBHOOK_DELIVERY_HEADER = 'X-LiftOS-Delivery';
