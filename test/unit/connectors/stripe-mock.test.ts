import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import type { ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { createStripeConnector } from '../../../connectors/stripe/connector';
import { connectorFailure, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

/**
 * The Stripe connector against stripe-mock, Stripe's official mock of its API (its OpenAPI spec and fixtures):
 * proves the requests the connector sends are ones Stripe's spec accepts and that it parses Stripe's own shapes.
 * stripe-mock answers fixtures whatever the filters, so this asserts shapes and parsing, not values.
 */

const secretKey = 'sk_test_51StripeMockKey0000000000000042';
const window = { startDate: '2026-01-01', endDate: '2026-03-31' };
const payments: FetchPageRequest = { stream: 'payments', cursor: null, window, pageSize: 100 };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window, pageSize: 100 };
let stripeMock: ChildProcess;
let baseUrl: string;

const connect = (overrides: Partial<ConnectorConfig> = {}) =>
  createStripeConnector({ baseUrl, credentials: { secret_key: secretKey }, accountId: 'acct_mock', timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });

/** $STRIPE_MOCK (set by scripts/test), else whatever scripts/ensure-stripe-mock finds or builds. */
function stripeMockBinary(): string {
  if (process.env.STRIPE_MOCK) return process.env.STRIPE_MOCK;
  return execFileSync(path.join(__dirname, '../../../scripts/ensure-stripe-mock'), { encoding: 'utf8' }).trim();
}

beforeAll(async () => {
  // Empty ports: the system picks free ones, and stripe-mock prints the HTTP one. HTTPS is bound too (it always is), on loopback.
  stripeMock = spawn(stripeMockBinary(), ['-http-addr', '127.0.0.1:', '-https-addr', '127.0.0.1:'], { stdio: ['ignore', 'pipe', 'pipe'] });
  baseUrl = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening for HTTP at address: (127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(`http://${match[1]}`);
    };
    stripeMock.stdout!.on('data', onData);
    stripeMock.stderr!.on('data', onData);
    stripeMock.once('error', reject);
    stripeMock.once('exit', (code) => reject(new Error(`stripe-mock exited with ${code}: ${output}`)));
  });
}, 300_000);

afterAll(async () => {
  if (!stripeMock || stripeMock.exitCode !== null) return;
  const exited = new Promise((resolve) => stripeMock.once('exit', resolve));
  stripeMock.kill('SIGTERM');
  await exited;
});

describe('Stripe connector against stripe-mock', () => {
  it('tests the connection', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, message: 'Stripe charges and customers are readable' });
  });

  it('sends a charges list request Stripe’s spec accepts and parses the charges it answers', async () => {
    const page = await connect().fetchPage(payments);
    expect(page.records.length).toBeGreaterThan(0);
    expect(page.bytesRead).toBeGreaterThan(0);
    for (const record of page.records) {
      expect(record).toMatchObject({
        stream: 'payments',
        entityId: expect.stringMatching(/^ch_\w+$/),
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        currency: expect.stringMatching(/^[A-Z]{3}$/),
      });
      expect(typeof record.revenue).toBe('number');
      expect(record.raw).toMatchObject({ object: 'charge', id: record.entityId });
    }
    // stripe-mock's lists have no further page; a cursor from a real list is accepted all the same.
    expect(page.nextCursor).toBeNull();
    await expect(connect().fetchPage({ ...payments, cursor: page.records[0]!.entityId })).resolves.toMatchObject({ records: expect.any(Array) });
  });

  it('sends a customers list request Stripe’s spec accepts and parses the customers it answers', async () => {
    const page = await connect().fetchPage(contacts);
    expect(page.records.length).toBeGreaterThan(0);
    for (const record of page.records) {
      expect(record).toMatchObject({
        stream: 'contacts',
        entityId: expect.stringMatching(/^cus_\w+$/),
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        revenue: null,
      });
      expect(record.raw).toMatchObject({ object: 'customer', id: record.entityId });
    }
  });

  it('classifies a key stripe-mock refuses as auth, without the key in the message', async () => {
    const badKey = 'not-a-stripe-secret-key-0042';
    const failure = await connectorFailure(connect({ credentials: { secret_key: badKey } }).testConnection(), [badKey]);
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'invalid_request_error' } });
    expect(failure.message).toContain('[redacted]');
  });

  it('classifies a parameter Stripe’s spec rejects as malformed', async () => {
    // An impossible window makes `created[gte]` non-numeric, which the spec refuses with a 400.
    const failure = await connectorFailure(connect().fetchPage({ ...payments, window: { startDate: 'not-a-day', endDate: '2026-03-31' } }), [secretKey]);
    expect(failure).toMatchObject({ kind: 'malformed', details: { status: 400, platformCode: 'invalid_request_error' } });
    expect(failure.message).toContain('created');
  });
});
