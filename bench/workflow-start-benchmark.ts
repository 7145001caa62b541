import { serve } from '@hono/node-server';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createApp } from '../api/app';
import { createConnectorRegistry } from '../connectors/registry';
import { insertConnection } from '../db/repositories/connections';
import { ConnectionIdKey, OrgIdKey, PlatformKey } from '../domain/search-attributes';
import { createLogger } from '../observability/logger';
import { signAccessToken } from '../security/access-token';
import { createCredentialVault } from '../security/credential-vault';
import { connectionSyncWorkflow } from '../workflows/connection-sync';
import type { BenchInfrastructure } from './bench-infrastructure';
import { runPool } from './concurrency-pool';

export interface StartBenchmarkResult {
  starts: number;
  concurrency: number;
  bareStartsPerSecond: number;
  apiStartsPerSecond: number;
  ratio: number;
}

/**
 * Workflow starts through POST /connections/{id}/sync (real HTTP, auth, org-scoped lookup, audit)
 * against the same starts from a bare Temporal client loop, alternating rounds in one process.
 * No worker polls the task queue: this measures starting, not running.
 */
export async function runStartBenchmark(infra: BenchInfrastructure, options: { starts: number; concurrency: number; rounds: number }): Promise<StartBenchmarkResult> {
  const orgId = `bench-org-${randomUUID().slice(0, 8)}`;
  const taskQueue = `bench-starts-${randomUUID().slice(0, 8)}`;
  const vault = await createCredentialVault(randomBytes(32).toString('base64'));
  const jwtSecret = randomBytes(32).toString('hex');
  const app = createApp({
    db: infra.database.db,
    temporal: infra.temporal.client,
    taskQueue,
    vault,
    connectors: createConnectorRegistry(),
    jwtSecret,
    logger: createLogger({ name: 'bench-api', level: 'silent' }),
    metrics: new Registry(),
  });
  const server = await new Promise<{ port: number; close: () => void }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ port: info.port, close: () => s.close() }));
  });
  const token = await signAccessToken({ orgId, userId: 'bench', role: 'editor' }, jwtSecret, 3600);

  const total = options.starts * (options.rounds + 1);
  const connectionIds: string[] = [];
  for (let i = 0; i < total; i++) {
    const id = randomUUID();
    connectionIds.push(id);
    await insertConnection(infra.database.db, {
      id, org_id: orgId, user_id: 'bench', platform: 'meta_business', account_id: `act_${i}`, display_name: `Bench ${i}`,
      status: 'active', data_mode: 'mock', sync_frequency: 'manual', credentials_ciphertext: Buffer.from(vault.seal(id, {})), last_sync_at: null, last_sync_status: null,
    });
  }

  let apiCursor = 0;
  let bareCursor = 0;
  const apiRound = async (count: number) => {
    const ids = connectionIds.slice(apiCursor, apiCursor + count);
    apiCursor += count;
    await runPool(ids.length, options.concurrency, async (i) => {
      const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/platform-connections/connections/${ids[i]}/sync`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 202) throw new Error(`API start answered ${res.status}: ${await res.text()}`);
    });
  };
  const bareRound = async (count: number) => {
    const ids = connectionIds.slice(bareCursor, bareCursor + count);
    bareCursor += count;
    await runPool(ids.length, options.concurrency, async (i) => {
      const id = ids[i]!;
      await infra.temporal.client.workflow.start(connectionSyncWorkflow, {
        taskQueue,
        workflowId: `bench-bare:${id}`,
        args: [{ connectionId: id, orgId, platform: 'meta_business' }],
        typedSearchAttributes: [
          { key: OrgIdKey, value: orgId },
          { key: PlatformKey, value: 'meta_business' },
          { key: ConnectionIdKey, value: id },
        ],
      });
    });
  };
  const timed = async (fn: () => Promise<void>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };

  // Warm both paths (JIT, connection pools, HTTP keep-alive), then alternate measured rounds.
  await apiRound(options.starts);
  await bareRound(options.starts);
  let apiMs = 0;
  let bareMs = 0;
  for (let r = 0; r < options.rounds; r++) {
    bareMs += await timed(() => bareRound(options.starts));
    apiMs += await timed(() => apiRound(options.starts));
  }
  server.close();
  const measured = options.starts * options.rounds;
  const bareStartsPerSecond = measured / (bareMs / 1000);
  const apiStartsPerSecond = measured / (apiMs / 1000);
  return { starts: measured, concurrency: options.concurrency, bareStartsPerSecond, apiStartsPerSecond, ratio: apiStartsPerSecond / bareStartsPerSecond };
}
