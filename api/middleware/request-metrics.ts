import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import { Histogram, type Registry } from 'prom-client';

/** Records every request's duration by method, matched route pattern (not raw path: bounded cardinality) and status. */
export function requestMetrics(registry: Registry) {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests served by the API',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return createMiddleware(async (c, next) => {
    const stop = duration.startTimer();
    await next();
    stop({ method: c.req.method, route: routePath(c, -1), status: String(c.res.status) });
  });
}
