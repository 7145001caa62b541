import { z } from 'zod';
import { CONNECTION_STATUSES, DATA_MODES } from '../domain/connection';
import { PLATFORM_IDS, STREAM_KINDS } from '../domain/platforms';
import { SYNC_STATUSES } from '../domain/sync';
import { ALERT_SEVERITIES, ALERT_STATUSES, ALERT_TYPES } from '../domain/alert-rules';
import { DATA_SOURCES, IsoDate } from './request-schemas';

/**
 * Answer shapes several route modules share, defined once. They are the documented contract
 * (GET /openapi.json is generated from them) and type the presenters that build them; the API tests
 * check every real answer against them. A schema with an `id` is a named component of the document.
 */

/** A moment, as the API writes it: UTC, ISO 8601 with milliseconds (Date.prototype.toISOString). */
export const Timestamp = z.iso.datetime();
export const PlatformName = z.enum(PLATFORM_IDS);
export const StreamName = z.enum(STREAM_KINDS);
export const DataModeName = z.enum(DATA_MODES);
export const SourceName = z.enum(DATA_SOURCES);
export const Count = z.int().nonnegative();

/** One field a validation refused: the field's path (null for the whole body) and why. */
const FieldProblem = z.object({ field: z.string().nullable(), message: z.string() });

/** Every error answer: `code` is stable and machine-readable, `message` is for people. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z
        .union([z.array(FieldProblem), z.record(z.string(), z.unknown()), z.null()])
        .describe('validation_error: the fields refused; otherwise null or an object specific to the code'),
    }),
  })
  .meta({ id: 'Error' });

/** An inclusive range of days. */
export const DateWindowView = z.object({ start_date: IsoDate, end_date: IsoDate }).meta({ id: 'DateWindow' });

/** A workflow the request started (or joined): where to follow it. */
export const WorkflowStarted = z.object({ status: z.literal('running'), workflow_id: z.string(), run_id: z.string() });

/** A connection as the API shows it (api/presenters/connection.ts): never its credentials. */
export const ConnectionView = z
  .object({
    id: z.uuid(),
    org_id: z.string(),
    user_id: z.string(),
    platform: PlatformName,
    account_id: z.string(),
    display_name: z.string(),
    status: z.enum(CONNECTION_STATUSES),
    data_mode: DataModeName,
    sync_frequency: z.string(),
    credentials_configured: z.boolean(),
    last_sync_at: Timestamp.nullable(),
    last_sync_status: z.enum(SYNC_STATUSES).nullable(),
    consecutive_sync_failures: Count,
    sync_warning: z.boolean(),
    sync_warning_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Connection' });
export type ConnectionView = z.infer<typeof ConnectionView>;

/** A record read from a connection's source (api/presenters/metric-record.ts); the platform's raw payload stays out. */
export const MetricRecordView = z
  .object({
    stream: StreamName,
    entity_id: z.string(),
    date: IsoDate,
    entity_name: z.string().nullable(),
    parent_id: z.string().nullable(),
    impressions: z.number().nullable(),
    clicks: z.number().nullable(),
    spend: z.number().nullable(),
    conversions: z.number().nullable(),
    revenue: z.number().nullable(),
    currency: z.string().nullable(),
  })
  .meta({ id: 'MetricRecord' });
export type MetricRecordView = z.infer<typeof MetricRecordView>;

/** An alert (api/presenters/alert.ts): an org's, or the deployment's (`scope`). */
export const AlertView = z
  .object({
    id: z.uuid(),
    rule_id: z.string(),
    type: z.enum(ALERT_TYPES),
    severity: z.enum(ALERT_SEVERITIES),
    initial_severity: z.enum(ALERT_SEVERITIES),
    status: z.enum(ALERT_STATUSES),
    summary: z.string(),
    labels: z.record(z.string(), z.string()),
    value: z.number(),
    threshold: z.number(),
    scope: z.enum(['org', 'deployment']),
    started_at: Timestamp,
    last_evaluated_at: Timestamp,
    escalated_at: Timestamp.nullable(),
    resolved_at: Timestamp.nullable(),
    resolved_by: z.string().nullable(),
    rollback_requested_at: Timestamp.nullable(),
  })
  .meta({ id: 'Alert' });
export type AlertView = z.infer<typeof AlertView>;
