import { Hono } from 'hono';
import { z } from 'zod';
import { listAuditEntries } from '../../db/repositories/audit-query';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { limitParam, Uuid } from '../request-schemas';
import { routeDocs } from '../openapi/route-docs';
import { AuditTrailResponse } from './audit-schemas';

const AuditQuery = z
  .object({
    connection_id: Uuid.optional(),
    action: z.string().max(100).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    before_id: z.string().regex(/^\d+$/, 'expected the next_before_id of a previous page').optional(),
    limit: limitParam(500, 100),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });

const doc = routeDocs('Audit')({ summary: "The org's audit trail, newest first", responses: { 200: AuditTrailResponse } });

/** GET /api/v1/audit: the org's audit trail, newest first. Read-only: nothing in the API changes it. */
export function auditRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', doc, validate('query', AuditQuery), async (c) => {
    const q = c.req.valid('query');
    const entries = await listAuditEntries(deps.db, {
      orgId: c.get('principal').orgId,
      connectionId: q.connection_id,
      action: q.action,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      beforeId: q.before_id,
      limit: q.limit,
    });
    return c.json({
      entries: entries.map((e) => ({
        id: e.id,
        occurred_at: e.occurred_at.toISOString(),
        actor_id: e.actor_id,
        actor_role: e.actor_role,
        action: e.action,
        target_type: e.target_type,
        target_id: e.target_id,
        outcome: e.outcome,
        request_id: e.request_id,
        details: e.details,
      })),
      next_before_id: entries.length === q.limit ? (entries.at(-1)?.id ?? null) : null,
    });
  });
}
