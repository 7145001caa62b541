import { z } from 'zod';
import { Timestamp } from '../response-schemas';

/** One entry of the audit trail: who did what to which target, with which outcome. */
const AuditEntryView = z
  .object({
    id: z.string(),
    occurred_at: Timestamp,
    actor_id: z.string(),
    actor_role: z.string(),
    action: z.string(),
    target_type: z.string(),
    target_id: z.string().nullable(),
    outcome: z.enum(['success', 'failure', 'denied']),
    request_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });

/** A page of the trail, newest first; `next_before_id` asks for the next one (null on the last). */
export const AuditTrailResponse = z.object({ entries: z.array(AuditEntryView), next_before_id: z.string().nullable() });
