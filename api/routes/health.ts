import { Hono } from 'hono';
import { createAccessTokenVerifier, isOperator } from '../../security/access-token';
import { probePostgres, probeTemporal } from '../../observability/health-probes';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { routeDocs } from '../openapi/route-docs';
import { HealthResponse } from './health-schemas';

const describeRoute = routeDocs('Health');
const doc = describeRoute({
  summary: 'Whether Postgres and Temporal answer (public; an operator token also gets the failures)',
  responses: { 200: HealthResponse, 503: [HealthResponse, 'A check failed'] },
});

/**
 * GET /health: 200 when Postgres and Temporal both answer, 503 otherwise. Anyone may ask; only a
 * deployment operator's bearer token gets the failures' messages (they name hosts, ports and users).
 */
export function healthRoutes(deps: AppDeps) {
  const verify = createAccessTokenVerifier(deps.jwtSecret);
  return new Hono<AppEnv>().get('/', doc, async (c) => {
    const token = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const operator = token ? await verify(token).then(isOperator, () => false) : false;
    const [postgres, temporal] = await Promise.all([probePostgres(deps.db), probeTemporal(deps.temporal)]);
    const ok = postgres === 'ok' && temporal === 'ok';
    const shown = (result: typeof postgres) => (result === 'ok' ? 'ok' : operator ? result.error : 'failed');
    return c.json({ status: ok ? 'ok' : 'degraded', checks: { postgres: shown(postgres), temporal: shown(temporal) } }, ok ? 200 : 503);
  });
}
