import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import {
  connectionCredentials,
  credentialColumns,
  deleteConnection,
  insertConnection,
  listConnections,
  updateConnection,
} from '../../db/repositories/connections';
import type { Connection, ConnectionUpdate } from '../../db/schema';
import { PLATFORMS } from '../../domain/platforms';
import { resolveReadableSource } from '../../services/connection-source-selection';
import { credentialHostIssues } from '../../connectors/credential-hosts';
import { ApiError, notFound } from '../api-error';
import type { AppDeps } from '../app-deps';
import { applyConnectionSchedule } from '../apply-connection-schedule';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { loadOwnConnection } from '../own-connection';
import { presentConnection } from '../presenters/connection';
import { ConnectionListResponse, ConnectionTestResponse, CreateConnectionBody, ListQuery, UpdateConnectionBody } from './connection-schemas';
import { CONNECTION_READ_REFUSALS, routeDocs } from '../openapi/route-docs';
import { ConnectionView } from '../response-schemas';
import { connectionSyncRoutes } from './connection-syncs';
import { DEFAULT_DATA_MODE, findDefaultDataMode } from '../../db/repositories/data-preferences';
import type { DataMode } from '../../domain/connection';
import type { PlatformId } from '../../domain/platforms';
import { connectionResyncRoutes } from './connection-resync';

/** A live connection needs the platform's credential fields, whether its mode was asked for or came from the user's preference. */
function requireLiveCredentialFields(platform: PlatformId, mode: DataMode, credentials: Record<string, string>): void {
  if (mode !== 'live') return;
  const missing = PLATFORMS[platform].credentialFields.filter((field) => !credentials[field]);
  if (missing.length > 0) {
    throw new ApiError(
      400,
      'validation_error',
      'Invalid request body',
      missing.map((field) => ({ field: `credentials.${field}`, message: `${field} is required for a live ${platform} connection` })),
    );
  }
}

/** Credentials that name a host (Salesforce's instance_url, a WooCommerce store_url, …) must name one the platform documents. */
function requireAllowedCredentialHosts(deps: AppDeps, platform: PlatformId, credentials: Record<string, string> | undefined): void {
  const issues = credentials ? credentialHostIssues(platform, credentials, deps.platformNetwork.allowLoopback) : [];
  if (issues.length > 0) {
    throw new ApiError(
      400,
      'validation_error',
      'Invalid request body',
      issues.map((issue) => ({ field: `credentials.${issue.field}`, message: issue.message })),
    );
  }
}

const describeRoute = routeDocs('Connections');
const NOT_FOUND = { 404: 'No connection of the org has this id' };
const docs = {
  create: describeRoute({
    summary: 'Creates a connection (its Schedule follows; 201 even when Temporal is down)',
    responses: { 201: ConnectionView },
    errors: { 409: 'The org already has a connection of this platform and account (connection_exists)' },
  }),
  list: describeRoute({ summary: "The org's connections, a page at a time", responses: { 200: ConnectionListResponse } }),
  read: describeRoute({ summary: 'A connection', responses: { 200: ConnectionView }, errors: NOT_FOUND }),
  update: describeRoute({ summary: 'Changes a connection (its Schedule follows)', responses: { 200: ConnectionView }, errors: NOT_FOUND }),
  remove: describeRoute({ summary: 'Deletes a connection with its rows and logs', responses: { 204: null }, errors: NOT_FOUND }),
  test: describeRoute({
    summary: "Tests the reachability and authentication of the connection's source",
    responses: { 200: ConnectionTestResponse },
    errors: { ...NOT_FOUND, ...CONNECTION_READ_REFUSALS },
  }),
};

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

export function connectionRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post('/', docs.create, validate('json', CreateConnectionBody), async (c) => {
      const body = c.req.valid('json');
      const principal = c.get('principal');
      const dataMode = body.data_mode ?? (await findDefaultDataMode(deps.db, principal.orgId, principal.userId)) ?? DEFAULT_DATA_MODE;
      requireLiveCredentialFields(body.platform, dataMode, body.credentials);
      requireAllowedCredentialHosts(deps, body.platform, body.credentials);
      const id = randomUUID();
      let connection: Connection;
      try {
        connection = await insertConnection(deps.db, {
          id,
          org_id: principal.orgId,
          user_id: principal.userId,
          platform: body.platform,
          account_id: body.account_id ?? 'default',
          display_name: body.display_name ?? `${PLATFORMS[body.platform].name} (${body.account_id ?? 'default'})`,
          status: 'active',
          data_mode: dataMode,
          sync_frequency: body.sync_frequency ?? 'manual',
          ...credentialColumns(deps.vault.seal(id, body.credentials)),
          last_sync_at: null,
          last_sync_status: null,
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ApiError(409, 'connection_exists', `This org already has a ${body.platform} connection for account ${body.account_id ?? 'default'}`, {
            field: 'account_id',
          });
        }
        throw err;
      }
      const schedule = await applyConnectionSchedule(deps, id, () => deps.schedules.reconcile(connection));
      await c.get('audit')({
        action: 'connection.create',
        targetType: 'connection',
        targetId: id,
        outcome: 'success',
        details: { platform: body.platform, data_mode: dataMode, data_mode_from_preference: body.data_mode === undefined, schedule },
      });
      return c.json(presentConnection(connection), 201);
    })
    .get('/', docs.list, validate('query', ListQuery), async (c) => {
      const page = c.req.valid('query');
      const { items, total } = await listConnections(deps.db, c.get('principal').orgId, page);
      return c.json({ connections: items.map(presentConnection), total, limit: page.limit, offset: page.offset });
    })
    .get('/:id', docs.read, async (c) => c.json(presentConnection(await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')))))
    .put('/:id', docs.update, validate('json', UpdateConnectionBody), async (c) => {
      const body = c.req.valid('json');
      const { orgId } = c.get('principal');
      const existing = await loadOwnConnection(deps, orgId, c.req.param('id'));
      requireAllowedCredentialHosts(deps, existing.platform, body.credentials);
      const changes: ConnectionUpdate = {
        display_name: body.display_name,
        data_mode: body.data_mode,
        sync_frequency: body.sync_frequency,
        // New credentials give a connection that needed re-authorisation another chance.
        status: body.status ?? (body.credentials && existing.status === 'reauth_required' ? 'active' : undefined),
        ...(body.credentials ? credentialColumns(deps.vault.seal(existing.id, body.credentials)) : {}),
      };
      const updated = await updateConnection(deps.db, orgId, existing.id, changes);
      if (!updated) throw notFound('Connection');
      const schedule = await applyConnectionSchedule(deps, existing.id, () => deps.schedules.reconcile(updated));
      await c.get('audit')({
        action: 'connection.update',
        targetType: 'connection',
        targetId: existing.id,
        outcome: 'success',
        details: { fields: Object.keys(body), schedule },
      });
      return c.json(presentConnection(updated));
    })
    .delete('/:id', docs.remove, async (c) => {
      const { orgId } = c.get('principal');
      const existing = await loadOwnConnection(deps, orgId, c.req.param('id'));
      // The row goes first: a Schedule left behind is an orphan the reconciler removes, whereas a
      // row left without its Schedule would look like a live connection that never syncs.
      await deleteConnection(deps.db, orgId, existing.id);
      const schedule = await applyConnectionSchedule(deps, existing.id, () => deps.schedules.remove(existing.id));
      await c.get('audit')({
        action: 'connection.delete',
        targetType: 'connection',
        targetId: existing.id,
        outcome: 'success',
        details: { platform: existing.platform, schedule },
      });
      return c.body(null, 204);
    })
    .post('/:id/test', docs.test, async (c) => {
      const existing = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id'));
      const { source } = await resolveReadableSource(deps, existing);
      const credentials = source === 'live' ? deps.vault.open(existing.id, connectionCredentials(existing)) : {};
      const connector = deps.connectors.create({ platform: existing.platform, source, accountId: existing.account_id, credentials });
      const started = Date.now();
      const result = await connector.testConnection().catch((err: unknown) => ({
        ok: false,
        accountName: null,
        latencyMs: Date.now() - started,
        message: err instanceof Error ? err.message : 'Connection test failed',
      }));
      await c.get('audit')({ action: 'connection.test', targetType: 'connection', targetId: existing.id, outcome: result.ok ? 'success' : 'failure' });
      return c.json({ ok: result.ok, source, account_name: result.accountName, latency_ms: result.latencyMs, message: result.message });
    })
    .route('/:id/sync', connectionSyncRoutes(deps))
    .route('/:id/resync', connectionResyncRoutes(deps));
}
