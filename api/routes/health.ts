import { Hono } from 'hono';
import { sql } from 'kysely';
import { createAccessTokenVerifier, isOperator } from '../../security/access-token';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';

const CHECK_TIMEOUT_MS = 3_000;

async function check(probe: () => Promise<unknown>): Promise<'ok' | { error: string }> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref())]);
    return 'ok';
  } catch (err) {
    return { error: err instanceof Error ? err.message : 'failed' };
  }
}

/**
 * GET /health: 200 when Postgres and Temporal both answer, 503 otherwise. Anyone may ask; only a
 * deployment operator's bearer token gets the failures' messages (they name hosts, ports and users).
 */
export function healthRoutes(deps: AppDeps) {
  const verify = createAccessTokenVerifier(deps.jwtSecret);
  return new Hono<AppEnv>().get('/', async (c) => {
    const token = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const operator = token ? await verify(token).then(isOperator, () => false) : false;
    const [postgres, temporal] = await Promise.all([
      check(() => sql`select 1`.execute(deps.db)),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const ok = postgres === 'ok' && temporal === 'ok';
    const shown = (result: typeof postgres) => (result === 'ok' ? 'ok' : operator ? result.error : 'failed');
    return c.json({ status: ok ? 'ok' : 'degraded', checks: { postgres: shown(postgres), temporal: shown(temporal) } }, ok ? 200 : 503);
  });
}
