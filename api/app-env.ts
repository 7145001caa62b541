import type { Actor, Principal } from '../security/access-token';

/** What an audited API action records; actor, org and request id come from the request. */
export interface AuditEvent {
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: 'success' | 'failure' | 'denied';
  details?: Record<string, unknown>;
}

/** Hono context variables set by middleware. */
export interface AppEnv {
  Variables: {
    /** The caller, whatever kind (set by authentication). */
    actor: Actor;
    /** The caller as an org member: set only for org tokens, so only org endpoints (by ACCESS_POLICY) read it. */
    principal: Principal;
    /** Ours, always generated: audit entries and logs correlate by it. */
    requestId: string;
    /** The client's X-Request-Id when well-formed, else undefined; never used as an id of ours. */
    clientRequestId: string | undefined;
    audit: (event: AuditEvent) => Promise<void>;
  };
}
