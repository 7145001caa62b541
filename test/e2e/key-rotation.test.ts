import { randomBytes, randomUUID } from 'node:crypto';
import { connectionCredentials, credentialColumns } from '../../db/repositories/connections';
import type { NewConnection } from '../../db/schema';
import { createCredentialVault } from '../../security/credential-vault';
import { parseKeyring } from '../../security/keyring';
import { type ServiceProcess, waitFor } from '../../scripts/service-process';
import { keyRotationWorkflow } from '../../workflows/key-rotation';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { startWorkerProcess } from '../setup/worker-process';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = 1_200;

/**
 * Key rotation, the hard way: the worker is SIGKILLed half-way; another worker finishes; no row is
 * skipped or re-wrapped twice; then the old key leaves the keyring and every connection still opens
 * and syncs.
 */
describe('key rotation with a worker killed half-way', () => {
  let harness: TestHarness;
  const workers: ServiceProcess[] = [];
  const orgId = `org-rotation-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await harness.close();
  });

  async function startWorker(taskQueue: string, credentialsKeys: string): Promise<ServiceProcess> {
    const worker = await startWorkerProcess(harness, { taskQueue, env: { CREDENTIALS_KEYS: credentialsKeys } });
    workers.push(worker);
    return worker;
  }

  it('re-wraps every data key exactly once; afterwards the old key can go', async () => {
    const oldKeys = harness.credentialsKeys; // v1
    const newKey = `v2:${randomBytes(32).toString('base64')}`;
    const rotatingKeys = `${newKey},${oldKeys}`;

    const rows: NewConnection[] = Array.from({ length: CONNECTIONS }, (_, i) => {
      const id = randomUUID();
      return {
        id,
        org_id: orgId,
        user_id: 'u',
        platform: 'meta_business',
        account_id: `act_${i}`,
        display_name: `C${i}`,
        status: 'active',
        data_mode: 'mock',
        sync_frequency: 'manual',
        last_sync_at: null,
        last_sync_status: null,
        ...credentialColumns(harness.vault.seal(id, { access_token: `token-${i}` })),
      };
    });
    for (let i = 0; i < rows.length; i += 300)
      await harness.database.db
        .insertInto('user_platform_connections')
        .values(rows.slice(i, i + 300))
        .execute();
    const ownVersions = () =>
      harness.database.db
        .selectFrom('user_platform_connections')
        .select(['id', 'credentials_key_version', 'credentials_wrapped_key'])
        .where('org_id', '=', orgId)
        .execute();

    const taskQueue = uniqueName('rotation');
    const operatorId = uniqueName('ops');
    const first = await startWorker(taskQueue, rotatingKeys);
    const handle = await harness.temporal.client.workflow.start(keyRotationWorkflow, {
      taskQueue,
      workflowId: uniqueName('key-rotation'),
      // As the API starts it: for a deployment operator, outside every org.
      args: [{ requestedBy: { orgId: null, actorId: operatorId, actorRole: 'operator', requestId: null }, batchSize: 10 }],
    });
    await waitFor(ownVersions, (r) => r.filter((x) => x.credentials_key_version === 'v2').length >= CONNECTIONS / 4, {
      timeoutMs: 60_000,
      what: 'a quarter rotated',
    });
    first.kill('SIGKILL');
    await first.exited;
    const atCrash = new Map(
      (await ownVersions()).filter((r) => r.credentials_key_version === 'v2').map((r) => [r.id, Buffer.from(r.credentials_wrapped_key).toString('hex')]),
    );
    expect(atCrash.size).toBeLessThan(CONNECTIONS);

    await startWorker(taskQueue, rotatingKeys);
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.targetVersion).toBe('v2');

    const after = await ownVersions();
    expect(after.every((r) => r.credentials_key_version === 'v2')).toBe(true);
    // Rows rotated before the crash were not rotated again: their wrapped keys are untouched.
    for (const r of after.filter((x) => atCrash.has(x.id))) expect(Buffer.from(r.credentials_wrapped_key).toString('hex')).toBe(atCrash.get(r.id));
    // Rows of other tests, sealed under keys this worker never had, are reported, not skipped silently.
    const foreignFailures = result.failedIds.filter((id) => rows.some((r) => r.id === id));
    expect(foreignFailures).toEqual([]);

    // The old key leaves the keyring: every connection still opens, and syncs.
    const newOnly = await createCredentialVault(parseKeyring(newKey));
    const stored = await harness.database.db.selectFrom('user_platform_connections').selectAll().where('org_id', '=', orgId).execute();
    expect(stored).toHaveLength(CONNECTIONS);
    for (const row of stored) expect(newOnly.open(row.id, connectionCredentials(row)).access_token).toMatch(/^token-\d+$/);
    const audit = await harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'org_id'])
      .where('actor_id', '=', operatorId)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.org_id)).toEqual([null, null]);
    expect(audit.map((a) => a.action)).toEqual(['key_rotation.start', 'key_rotation.end']);

    const syncQueue = uniqueName('after-rotation');
    const syncWorker = await startTestSyncWorker(harness, { taskQueue: syncQueue, vault: newOnly });
    try {
      const connection = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock', orgId });
      expect(
        (await (await startSyncWorkflow(harness.temporal.client, connection, syncQueue, { startDate: '2026-01-01', endDate: '2026-01-02' })).result()).status,
      ).toBe('completed');
    } finally {
      await syncWorker.stop();
    }
  }, 150_000);
});
