import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';

const CHECK_TIMEOUT_MS = 3_000;

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref())]);
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : 'failed';
  }
}

/** GET /health: 200 when Postgres and Temporal both answer, 503 otherwise. */
export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const [postgres, temporal] = await Promise.all([
      check(() => sql`select 1`.execute(deps.db)),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const ok = postgres === 'ok' && temporal === 'ok';
    return c.json({ status: ok ? 'ok' : 'degraded', checks: { postgres, temporal } }, ok ? 200 : 503);
  });
}
