import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

describe('GET /health with Temporal unreachable', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let connection: Connection;
  let deadAddress: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    deadAddress = `127.0.0.1:${await freePort()}`;
    // Nothing listens there: every call fails with a message naming the address.
    connection = Connection.lazy({ address: deadAddress, connectTimeout: 500 });
    api = createTestApi(harness, { taskQueue: uniqueName('health'), temporal: new Client({ connection }) });
  });
  afterAll(async () => {
    await connection.close().catch(() => {});
    await harness.close();
  });

  it('tells anonymous callers and org members the status only, and a deployment operator the errors', async () => {
    const [port] = deadAddress.split(':').slice(1);
    // Each probe waits out its deadline against the dead server: the callers ask at once.
    const tokens = [await api.operatorToken(), undefined, await api.token('org-health', 'admin'), 'not-a-token'];
    const [operator, ...others] = await Promise.all(tokens.map((token) => api.call('GET', '/health', { token })));
    for (const res of others) {
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ status: 'degraded', checks: { postgres: 'ok', temporal: 'failed' } });
      expect(res.text).not.toContain(port!);
    }
    expect(operator!.status).toBe(503);
    expect(operator!.json.checks.postgres).toBe('ok');
    expect(operator!.json.checks.temporal).not.toBe('failed');
    expect(operator!.json.checks.temporal).toEqual(expect.any(String)); // the probe's own message
  });
});
