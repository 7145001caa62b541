import { Hono } from 'hono';
import { z } from 'zod';
import { findAlertById, listAlerts, resolveAlertByUser } from '../../db/repositories/alerts';
import { ALERT_RULES, ALERT_SEVERITIES, ALERT_STATUSES, ALERT_TYPES } from '../../domain/alert-rules';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { presentAlert } from '../presenters/alert';
import { limitParam, Uuid } from '../request-schemas';
import { routeDocs } from '../openapi/route-docs';
import { AlertView } from '../response-schemas';
import { AlertListResponse, AlertRulesResponse } from './alerts-schemas';

const AlertQuery = z.object({
  status: z.enum([...ALERT_STATUSES, 'open']).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  type: z.enum(ALERT_TYPES).optional(),
  rule_id: z.string().max(100).optional(),
  limit: limitParam(500, 100),
});

const AlertId = z.object({ id: Uuid });

const describeRoute = routeDocs('Alerts');
const docs = {
  list: describeRoute({
    summary: "Alerts, newest first: an org member's org's and the deployment's; an operator's, the deployment's",
    responses: { 200: AlertListResponse },
  }),
  rules: describeRoute({ summary: 'The alert rule catalogue: type, severity, window, threshold, escalation', responses: { 200: AlertRulesResponse } }),
  resolve: describeRoute({
    summary: "Resolves an open alert by hand: an org's editor the org's alerts, only an operator the deployment's",
    responses: { 200: AlertView },
    errors: {
      403: 'A deployment-wide alert is resolved by an operator, not an org member (forbidden)',
      404: 'No alert the caller may see has this id',
      409: 'The alert was already resolved (alert_already_resolved, with when and by whom)',
    },
  }),
};

/** GET …/alerts (the org's and the deployment's), the rule catalogue, and resolving an alert by hand (deployment-wide ones: operators only). */
export function alertRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', docs.list, validate('query', AlertQuery), async (c) => {
      const q = c.req.valid('query');
      // An operator (no org) sees the deployment-wide alerts only.
      const alerts = await listAlerts(deps.db, {
        orgId: c.get('principal')?.orgId ?? null,
        status: q.status,
        severity: q.severity,
        type: q.type,
        ruleId: q.rule_id,
        limit: q.limit,
      });
      return c.json({ alerts: alerts.map(presentAlert) });
    })
    .get('/rules', docs.rules, (c) =>
      c.json({
        severities: ALERT_SEVERITIES,
        types: ALERT_TYPES,
        rules: ALERT_RULES.map((r) => ({
          id: r.id,
          name: r.name,
          type: r.type,
          severity: r.severity,
          signal: r.signal.kind,
          window_seconds: r.windowSeconds,
          comparator: r.comparator,
          threshold: r.threshold,
          escalation: r.escalation.map((s) => ({ after_seconds: s.afterSeconds, severity: s.severity })),
          description: r.description,
        })),
      }),
    )
    .post('/:id/resolve', docs.resolve, validate('param', AlertId), async (c) => {
      const orgId = c.get('principal')?.orgId ?? null;
      const id = c.req.valid('param').id;
      const result = await resolveAlertByUser(deps.db, { id, orgId, userId: c.get('actor').userId, at: new Date() });
      if (!result) {
        // Deployment-wide alerts are shown to every org but are the operators' to resolve.
        if (orgId !== null && (await findAlertById(deps.db, id))?.org_id === null) {
          await c.get('audit')({ action: 'alert.resolve', targetType: 'alert', targetId: id, outcome: 'denied', details: { reason: 'deployment_wide' } });
          throw new ApiError(403, 'forbidden', 'A deployment-wide alert is resolved by a deployment operator, not an org member');
        }
        throw new ApiError(404, 'not_found', `Alert ${id} not found`);
      }
      if (!result.changed)
        throw new ApiError(409, 'alert_already_resolved', `Alert ${id} was already resolved`, {
          resolved_at: result.row.resolved_at?.toISOString() ?? null,
          resolved_by: result.row.resolved_by,
        });
      await c.get('audit')({
        action: 'alert.resolve',
        targetType: 'alert',
        targetId: id,
        outcome: 'success',
        details: { rule_id: result.row.rule_id, severity: result.row.severity },
      });
      return c.json(presentAlert(result.row));
    });
}
