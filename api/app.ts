import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { appendAudit } from '../db/repositories/audit-log';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';
import type { AppEnv } from './app-env';
import { createErrorHandler } from './error-handler';
import { authenticate } from './middleware/authenticate';
import { authorize } from './middleware/authorize';
import { rateLimitPerToken } from './middleware/rate-limit';
import { requestIds } from './middleware/request-id';
import { requestMetrics } from './middleware/request-metrics';
import { apiReferenceRoutes } from './routes/api-reference';
import { auditRoutes } from './routes/audit';
import { bulkSyncRoutes } from './routes/bulk-sync';
import { codecRoutes } from './routes/codec';
import { connectionDashboardRoutes } from './routes/connection-dashboard';
import { connectionRoutes } from './routes/connections';
import { credentialKeyRoutes } from './routes/credential-keys';
import { dataValidationRoutes } from './routes/data-validation';
import { healthRoutes } from './routes/health';
import { platformOAuthRoutes } from './routes/platform-oauth';
import { platformRoutes } from './routes/platforms';
import { connectionDataRoutes } from './routes/connection-data';
import { dataPreferenceRoutes } from './routes/data-preferences';
import { connectionRetentionRoutes, retentionRoutes } from './routes/retention';
import { metricRoutes } from './routes/metrics';
import { alertRoutes } from './routes/alerts';
import { monitoringRoutes } from './routes/monitoring';
import { rolloutRoutes } from './routes/rollouts';
import { liveIntegrationRoutes } from './routes/live-integration';

/** Request bodies are small JSON documents; anything larger is refused before it is read. */
export const MAX_BODY_BYTES = 64 * 1024;

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use(requestMetrics(deps.metrics));
  app.use(requestIds());
  app.use(async (c, next) => {
    // Audit entries carry the actor and request id; routes only say what happened.
    c.set('audit', async (event) => {
      const actor = c.get('actor');
      await appendAudit(deps.db, {
        // A deployment operator acts outside every org.
        org_id: c.get('principal')?.orgId ?? null,
        actor_id: actor.userId,
        actor_role: actor.role,
        action: event.action,
        target_type: event.targetType,
        target_id: event.targetId,
        outcome: event.outcome,
        request_id: c.get('requestId'),
        // The client's own id, kept apart: it is theirs to choose, so it proves nothing.
        details: { ...(event.details ?? {}), ...(c.get('clientRequestId') ? { client_request_id: c.get('clientRequestId') } : {}) },
      });
    });
    await next();
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `Request bodies may be at most ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.route('/health', healthRoutes(deps));
  app.route('/codec', codecRoutes(deps));
  // The OpenAPI document of this app and its reference page, public like /health.
  app.route('/', apiReferenceRoutes(app));
  // No /metrics here: the API's metrics (every org's custom series among them) are served on their own port (api-metrics-server.ts).

  const v1 = new Hono<AppEnv>();
  v1.use(authenticate(deps.jwtSecret));
  v1.use(rateLimitPerToken(deps.rateLimitPerMinute));
  v1.use(authorize);
  v1.route('/platform-connections/platforms', platformRoutes());
  v1.route('/platform-connections/dashboard', connectionDashboardRoutes(deps));
  v1.route('/platform-connections/connections', connectionRoutes(deps));
  v1.route('/platform-connections/connections', connectionRetentionRoutes(deps));
  v1.route('/platform-connections/oauth', platformOAuthRoutes(deps));
  v1.route('/platform-connections/keys', credentialKeyRoutes(deps));
  v1.route('/platform-connections/sync/bulk', bulkSyncRoutes(deps));
  v1.route('/audit', auditRoutes(deps));
  v1.route('/platform-connections/data', connectionDataRoutes(deps));
  v1.route('/platform-connections/preferences', dataPreferenceRoutes(deps));
  v1.route('/platform-connections/retention', retentionRoutes(deps));
  v1.route('/data-validation', dataValidationRoutes(deps));
  v1.route('/rollout-monitoring/metrics', metricRoutes(deps));
  v1.route('/rollout-monitoring/alerts', alertRoutes(deps));
  v1.route('/rollout-monitoring', monitoringRoutes(deps));
  v1.route('/rollout-monitoring', rolloutRoutes(deps));
  v1.route('/live-integration', liveIntegrationRoutes(deps));
  app.route('/api/v1', v1);

  app.notFound((c) => c.json({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}`, details: null } }, 404));
  app.onError(createErrorHandler(deps.logger));
  return app;
}
