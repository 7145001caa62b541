import { type Actor, CODEC_DECODE_ROLE, isOrgMember, OPERATOR_ROLE, type Role } from '../security/access-token';

/**
 * Who may call an endpoint: the least org role it needs (viewer < editor < admin), `operator`
 * (a deployment operator, outside every org), `<role> or operator`, or `codec:decode` (the Web
 * UI's codec credential, good for that one endpoint).
 */
export type AccessRule = Role | typeof OPERATOR_ROLE | `${Role} or ${typeof OPERATOR_ROLE}` | typeof CODEC_DECODE_ROLE;

/**
 * Who may call what. Enforced by one middleware (api/middleware/authorize.ts); a route missing
 * here is refused, and a test walks every entry with every role and checks the table matches the
 * app's routes and the README.
 */
export const ACCESS_POLICY = {
  'GET /api/v1/platform-connections/platforms': 'viewer',
  'GET /api/v1/platform-connections/dashboard': 'viewer',
  'GET /api/v1/platform-connections/connections': 'viewer',
  'POST /api/v1/platform-connections/connections': 'editor',
  'GET /api/v1/platform-connections/connections/:id': 'viewer',
  'PUT /api/v1/platform-connections/connections/:id': 'editor',
  'DELETE /api/v1/platform-connections/connections/:id': 'admin',
  'POST /api/v1/platform-connections/connections/:id/test': 'editor',
  'POST /api/v1/platform-connections/connections/:id/sync': 'editor',
  'GET /api/v1/platform-connections/connections/:id/sync': 'viewer',
  'DELETE /api/v1/platform-connections/connections/:id/sync': 'editor',
  'GET /api/v1/platform-connections/connections/:id/sync/history': 'viewer',
  'POST /api/v1/platform-connections/connections/:id/resync': 'editor',
  'POST /api/v1/platform-connections/sync/bulk': 'editor',
  'POST /api/v1/platform-connections/oauth/initiate': 'editor',
  'GET /api/v1/platform-connections/oauth/callback': 'editor',
  'POST /api/v1/platform-connections/keys/rotate': 'operator',
  'GET /api/v1/platform-connections/keys/rotate': 'operator',
  'GET /api/v1/audit': 'admin',
  'GET /api/v1/data-validation/validation-rules': 'viewer',
  'GET /api/v1/data-validation/connections/validate-all': 'viewer',
  'GET /api/v1/data-validation/connections/:id/validate': 'viewer',
  'POST /api/v1/data-validation/connections/:id/validate-async': 'editor',
  'GET /api/v1/data-validation/connections/:id/reports': 'viewer',
  'GET /api/v1/data-validation/validations/:workflow_id': 'viewer',
  'GET /api/v1/data-validation/quality-summary': 'viewer',
  'POST /codec/decode': 'operator',
  'POST /codec/encode': 'operator',
  'POST /codec/:credential/decode': 'codec:decode',
  'POST /api/v1/platform-connections/data': 'viewer',
  'GET /api/v1/platform-connections/preferences': 'viewer',
  'PUT /api/v1/platform-connections/preferences': 'viewer',
  'GET /api/v1/platform-connections/retention': 'viewer',
  'PUT /api/v1/platform-connections/retention': 'admin',
  'PUT /api/v1/platform-connections/connections/:id/retention': 'admin',
  'DELETE /api/v1/platform-connections/connections/:id/retention': 'admin',
  'GET /api/v1/rollout-monitoring/metrics': 'viewer',
  'POST /api/v1/rollout-monitoring/metrics': 'editor',
  'GET /api/v1/rollout-monitoring/alerts': 'viewer or operator',
  'GET /api/v1/rollout-monitoring/alerts/rules': 'viewer',
  'POST /api/v1/rollout-monitoring/alerts/:id/resolve': 'editor or operator',
  'GET /api/v1/rollout-monitoring/health': 'viewer',
  'GET /api/v1/rollout-monitoring/dashboard': 'viewer',
  'POST /api/v1/rollout-monitoring/rollouts': 'admin',
  'GET /api/v1/rollout-monitoring/rollouts': 'viewer',
  'POST /api/v1/rollout-monitoring/rollouts/:id/start': 'admin',
  'POST /api/v1/rollout-monitoring/rollouts/:id/pause': 'editor',
  'POST /api/v1/rollout-monitoring/rollouts/:id/resume': 'editor',
  'POST /api/v1/rollout-monitoring/rollouts/:id/promote': 'admin',
  'POST /api/v1/rollout-monitoring/rollouts/:id/rollback': 'editor',
  'PUT /api/v1/rollout-monitoring/rollouts/:id/thresholds': 'admin',
  'GET /api/v1/rollout-monitoring/rollouts/:id/status': 'viewer',
  'GET /api/v1/rollout-monitoring/evaluate': 'viewer',
  'POST /api/v1/live-integration/test-connection/:connection_id': 'editor',
  'POST /api/v1/live-integration/test-all-connections': 'editor',
  'GET /api/v1/live-integration/health-status': 'viewer',
  'POST /api/v1/live-integration/hybrid-data': 'viewer',
  'POST /api/v1/live-integration/test-suite': 'editor',
  'GET /api/v1/live-integration/integration-status': 'viewer',
  'GET /api/v1/live-integration/data-modes': 'viewer',
} as const satisfies Record<string, AccessRule>;

export type PolicyKey = keyof typeof ACCESS_POLICY;

/** A request that needs more than its route's rule: one whose query flag sets off work its route's role may not force. */
export interface ElevatedAccess {
  /** The query parameter and the value that elevates the request. */
  query: string;
  value: string;
  rule: Role;
  /** What the flag does, for the 403: "<what> needs the <rule> role". */
  what: string;
  /** What the caller gets without it. */
  otherwise: string;
}

const FORCED_VALIDATION: ElevatedAccess = {
  query: 'refresh',
  value: 'true',
  rule: 'editor',
  what: 'Forcing a fresh validation (refresh=true)',
  otherwise: 'Without it, the latest report is served while fresh.',
};

/** Checked by the same middleware as ACCESS_POLICY, after it: a viewer reads stored reports but does not force new runs. */
export const ELEVATED_ACCESS: Partial<Record<PolicyKey, ElevatedAccess>> = {
  'GET /api/v1/data-validation/connections/validate-all': FORCED_VALIDATION,
  'GET /api/v1/data-validation/connections/:id/validate': FORCED_VALIDATION,
};

/** The elevation the request asks for, if its route has one and its query sets the flag. */
export function elevatedAccess(method: string, routePath: string, queryValue: (name: string) => string | undefined): ElevatedAccess | undefined {
  const elevated = ELEVATED_ACCESS[`${method} ${routePath}` as PolicyKey];
  return elevated && queryValue(elevated.query) === elevated.value ? elevated : undefined;
}

export const ROLE_RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function requiredAccess(method: string, routePath: string): AccessRule | undefined {
  return (ACCESS_POLICY as Record<string, AccessRule>)[`${method} ${routePath}`];
}

/** Whether the rule admits the actor. Org roles rank; the operator and the codec credential match exactly. */
export function permits(rule: AccessRule, actor: Actor): boolean {
  if (rule === OPERATOR_ROLE || rule === CODEC_DECODE_ROLE) return actor.role === rule;
  const [least, orOperator] = rule.split(' or ') as [Role, string | undefined];
  if (orOperator && actor.role === OPERATOR_ROLE) return true;
  return isOrgMember(actor) && ROLE_RANK[actor.role] >= ROLE_RANK[least];
}

/** Why a rule refuses an actor, in words for the 403. */
export function refusal(rule: AccessRule, actor: Actor): string {
  if (rule === OPERATOR_ROLE) return `This action needs a deployment operator token; your token has ${actor.role}`;
  if (rule === CODEC_DECODE_ROLE) return 'This endpoint accepts only the codec credential of the Temporal Web UI';
  if (!isOrgMember(actor) && actor.role === OPERATOR_ROLE) return 'This endpoint belongs to an org: an operator token reaches only deployment-wide endpoints';
  return `This action needs the ${rule} role; your token has ${actor.role}`;
}
