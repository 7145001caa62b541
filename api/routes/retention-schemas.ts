import { z } from 'zod';
import { Timestamp } from '../response-schemas';

/** Days kept, or null: kept forever. */
const RetentionDays = z.number().int().nullable();

const ConnectionRetentionView = z
  .object({
    connection_id: z.uuid(),
    has_override: z.boolean(),
    /** The override's days (null with has_override: kept forever whatever the org's default). */
    retention_days: RetentionDays,
    /** What the retention workflow applies: the override when there is one, else the org's default. */
    effective_retention_days: RetentionDays,
    updated_at: Timestamp.nullable(),
  })
  .meta({ id: 'ConnectionRetention' });

/** The org's default and each connection's retention. */
export const RetentionPolicyResponse = z.object({
  default_retention_days: RetentionDays,
  /** True while the org has set no default (its data is kept forever). */
  is_default: z.boolean(),
  updated_at: Timestamp.nullable(),
  connections: z.array(ConnectionRetentionView),
});

export const SavedOrgRetentionResponse = z.object({ default_retention_days: RetentionDays, is_default: z.literal(false), updated_at: Timestamp });

export const SavedConnectionRetentionResponse = ConnectionRetentionView;
