import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookDelivery {
  delivery: string;
  timestamp: string;
  signatureValid: boolean;
  answered: number;
  body: { event: string; sent_at: string; alert: { id: string; rule_id: string; severity: string; status: string; labels: Record<string, string> } };
}

/**
 * An alert webhook receiver on loopback: verifies the HMAC-SHA256 signature of the raw body on its
 * own (not with the app's signing code), records every delivery, and answers 503 to the first
 * attempt of each delivery id so that every notification has to be retried once.
 */
export async function startAlertWebhookReceiver(secret: string) {
  const deliveries: WebhookDelivery[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-liftos-signature'] ?? ''));
      const signatureValid = given.length === expected.length && timingSafeEqual(given, expected);
      const delivery = String(req.headers['x-liftos-delivery'] ?? '');
      const answered = !signatureValid ? 401 : seen.has(delivery) ? 200 : 503;
      seen.add(delivery);
      deliveries.push({ delivery, timestamp: String(req.headers['x-liftos-timestamp'] ?? ''), signatureValid, answered, body: JSON.parse(raw.toString()) });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`,
    deliveries,
    /** Deliveries the receiver accepted (2xx). */
    accepted: () => deliveries.filter((d) => d.answered === 200),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
