import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { credentialColumns, insertConnection } from '../db/repositories/connections';
import { connectionSearchAttributes } from '../domain/search-attributes';
import { freePort, startServiceProcess, waitFor } from '../scripts/service-process';
import { signAccessToken } from '../security/access-token';
import { createCredentialVault } from '../security/credential-vault';
import { parseKeyring } from '../security/keyring';
import { connectionSyncWorkflow } from '../workflows/connection-sync';
import { type BenchInfrastructure, benchServiceEnv } from './bench-infrastructure';
import { forEachBounded } from '../domain/bounded-concurrency';

export interface StartBenchmarkResult {
  starts: number;
  concurrency: number;
  bareStartsPerSecond: number;
  apiStartsPerSecond: number;
  ratio: number;
}

/**
 * Workflow starts through POST /connections/{id}/sync against the same starts from a bare
 * Temporal client loop, at the same concurrency, in alternating rounds. The API runs as its own
 * process (api/main.ts, as deployed) and is driven over HTTP: auth, org-scoped lookup, validation
 * and the start itself. No worker polls the task queue: this measures starting, not running.
 */
export async function runStartBenchmark(
  infra: BenchInfrastructure,
  options: { starts: number; concurrency: number; rounds: number },
): Promise<StartBenchmarkResult> {
  const orgId = `bench-org-${randomUUID().slice(0, 8)}`;
  const taskQueue = `bench-starts-${randomUUID().slice(0, 8)}`;
  const credentialsKey = randomBytes(32).toString('base64');
  const jwtSecret = randomBytes(32).toString('hex');
  const vault = await createCredentialVault(parseKeyring(`v1:${credentialsKey}`));
  const port = await freePort();
  const api = startServiceProcess('api/main.ts', {
    capture: true,
    // The per-token rate limit would throttle the benchmark's single token: lift it.
    env: benchServiceEnv(infra, {
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      JWT_SECRET: jwtSecret,
      CREDENTIALS_KEY: credentialsKey,
      RATE_LIMIT_PER_MINUTE: '1000000',
    }),
  });
  // The load generator: http.request on a keep-alive Agent, lighter per request than fetch (undici);
  // and on 2 cores the generator's CPU is taken from the API and the Temporal server under test.
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      () => fetch(`${apiUrl}/health`).then((r) => r.status),
      (s) => s === 200,
      { timeoutMs: 60_000, what: 'API health' },
    );
    const token = await signAccessToken({ orgId, userId: 'bench', role: 'editor' }, jwtSecret, 3600);

    const total = options.starts * (options.rounds + 1);
    const connectionIds = Array.from({ length: total }, () => randomUUID());
    for (const [i, id] of connectionIds.entries()) {
      await insertConnection(infra.database.db, {
        id,
        org_id: orgId,
        user_id: 'bench',
        platform: 'meta_business',
        account_id: `act_${i}`,
        display_name: `Bench ${i}`,
        status: 'active',
        data_mode: 'mock',
        sync_frequency: 'manual',
        ...credentialColumns(vault.seal(id, {})),
        last_sync_at: null,
        last_sync_status: null,
      });
    }

    const postSync = (connectionId: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          `${apiUrl}/api/v1/platform-connections/connections/${connectionId}/sync`,
          { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-length': '0' } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });

    let apiNext = 0;
    let bareNext = 0;
    const apiRound = async () => {
      const ids = connectionIds.slice(apiNext, (apiNext += options.starts));
      await forEachBounded(ids, options.concurrency, async (id) => {
        const res = await postSync(id);
        if (res.status !== 202) throw new Error(`API start answered ${res.status}: ${res.body}`);
      });
    };
    const bareRound = async () => {
      const ids = connectionIds.slice(bareNext, (bareNext += options.starts));
      await forEachBounded(ids, options.concurrency, async (id) => {
        await infra.temporal.client.workflow.start(connectionSyncWorkflow, {
          taskQueue,
          workflowId: `bench-bare:${id}`,
          args: [{ connectionId: id, orgId, platform: 'meta_business' }],
          typedSearchAttributes: connectionSearchAttributes({ orgId, platform: 'meta_business', connectionId: id }),
        });
      });
    };
    const timed = async (round: () => Promise<void>) => {
      const started = performance.now();
      await round();
      return performance.now() - started;
    };

    // Warm both paths (JIT, pools, keep-alive), then alternate measured rounds so drift hits both.
    await apiRound();
    await bareRound();
    let apiMs = 0;
    let bareMs = 0;
    for (let r = 0; r < options.rounds; r++) {
      bareMs += await timed(bareRound);
      apiMs += await timed(apiRound);
    }
    const measured = options.starts * options.rounds;
    const bareStartsPerSecond = measured / (bareMs / 1000);
    const apiStartsPerSecond = measured / (apiMs / 1000);
    return { starts: measured, concurrency: options.concurrency, bareStartsPerSecond, apiStartsPerSecond, ratio: apiStartsPerSecond / bareStartsPerSecond };
  } finally {
    agent.destroy();
    await api.stop();
  }
}
