import { Hono } from 'hono';
import { z } from 'zod';
import {
  findOrgRetention,
  listConnectionRetention,
  removeConnectionRetentionOverride,
  saveConnectionRetentionOverride,
  saveOrgRetention,
} from '../../db/repositories/retention-policies';
import { effectiveRetentionDays, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from '../../domain/data-retention';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { routeDocs } from '../openapi/route-docs';
import { loadOwnConnection } from '../own-connection';
import { RetentionPolicyResponse, SavedConnectionRetentionResponse, SavedOrgRetentionResponse } from './retention-schemas';

/** Whole days in bounds, or null: kept forever. Required, so that forgetting the field never means "forever". */
const RetentionDays = z.number().int().min(MIN_RETENTION_DAYS).max(MAX_RETENTION_DAYS).nullable();
const OrgRetentionBody = z.object({ default_retention_days: RetentionDays }).strict();
const ConnectionRetentionBody = z.object({ retention_days: RetentionDays }).strict();

const NOT_FOUND = { 404: "No connection of the caller's org has this id" };

const describeRoute = routeDocs('Retention');
const docs = {
  read: describeRoute({
    summary: "How long the org's synced data is kept: its default and each connection's override (null days: kept forever)",
    responses: { 200: RetentionPolicyResponse },
  }),
  save: describeRoute({
    summary: "Sets the org's default retention in days (1 to 3650, or null to keep forever); the daily retention workflow deletes older rows",
    responses: { 200: SavedOrgRetentionResponse },
  }),
  saveConnection: describeRoute({
    summary: "Sets a connection's own retention over the org's default (days, or null to keep its data forever)",
    responses: { 200: SavedConnectionRetentionResponse },
    errors: NOT_FOUND,
  }),
  removeConnection: describeRoute({
    summary: "Removes a connection's override: it follows the org's default again",
    responses: { 200: SavedConnectionRetentionResponse },
    errors: NOT_FOUND,
  }),
};

/** The org's retention policy: what the data-retention workflow (workflows/data-retention.ts) enforces. */
export function retentionRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', docs.read, async (c) => {
      const { orgId } = c.get('principal');
      const policy = await findOrgRetention(deps.db, orgId);
      const defaultDays = policy?.default_days ?? null;
      const connections = await listConnectionRetention(deps.db, orgId);
      return c.json({
        default_retention_days: defaultDays,
        is_default: policy === undefined,
        updated_at: policy?.updated_at.toISOString() ?? null,
        connections: connections.map((r) => ({
          connection_id: r.connection_id,
          has_override: r.has_override,
          retention_days: r.retention_days,
          effective_retention_days: effectiveRetentionDays(defaultDays, r.has_override ? { retentionDays: r.retention_days } : undefined),
          updated_at: r.updated_at?.toISOString() ?? null,
        })),
      });
    })
    .put('/', docs.save, validate('json', OrgRetentionBody), async (c) => {
      const { orgId, userId } = c.get('principal');
      const body = c.req.valid('json');
      const previous = await findOrgRetention(deps.db, orgId);
      const saved = await saveOrgRetention(deps.db, orgId, body.default_retention_days, userId);
      await c.get('audit')({
        action: 'retention.update',
        targetType: 'org',
        targetId: orgId,
        outcome: 'success',
        details: { default_retention_days: body.default_retention_days, previous_default_retention_days: previous?.default_days ?? null },
      });
      return c.json({ default_retention_days: saved.default_days, is_default: false, updated_at: saved.updated_at.toISOString() });
    });
}

/** A connection's own retention, under /platform-connections/connections/:id/retention. */
export function connectionRetentionRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .put('/:id/retention', docs.saveConnection, validate('json', ConnectionRetentionBody), async (c) => {
      const { orgId, userId } = c.get('principal');
      const connection = await loadOwnConnection(deps, orgId, c.req.param('id'));
      const body = c.req.valid('json');
      const saved = await saveConnectionRetentionOverride(deps.db, orgId, connection.id, body.retention_days, userId);
      await c.get('audit')({
        action: 'retention.connection_update',
        targetType: 'connection',
        targetId: connection.id,
        outcome: 'success',
        details: { retention_days: body.retention_days },
      });
      return c.json({
        connection_id: connection.id,
        has_override: true,
        retention_days: saved.retention_days,
        effective_retention_days: saved.retention_days,
        updated_at: saved.updated_at.toISOString(),
      });
    })
    .delete('/:id/retention', docs.removeConnection, async (c) => {
      const { orgId } = c.get('principal');
      const connection = await loadOwnConnection(deps, orgId, c.req.param('id'));
      const removed = await removeConnectionRetentionOverride(deps.db, orgId, connection.id);
      const defaultDays = (await findOrgRetention(deps.db, orgId))?.default_days ?? null;
      await c.get('audit')({
        action: 'retention.connection_reset',
        targetType: 'connection',
        targetId: connection.id,
        outcome: 'success',
        details: { had_override: removed },
      });
      return c.json({ connection_id: connection.id, has_override: false, retention_days: null, effective_retention_days: defaultDays, updated_at: null });
    });
}
