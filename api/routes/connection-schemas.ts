import { z } from 'zod';
import { DATA_MODES } from '../../domain/connection';
import { syncFrequencyProblem } from '../../domain/sync-frequency';
import { PLATFORM_IDS, PLATFORMS, STREAM_KINDS } from '../../domain/platforms';
import { OptionalDateRange, pageQuery } from '../request-schemas';

/** Text that Postgres can store: no NUL characters. */
const Text = z.string().refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** A named frequency or a cron expression (UTC) that Temporal Schedules accept; see domain/sync-frequency.ts. */
const SyncFrequency = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = syncFrequencyProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const Credentials = z.record(z.string(), Text.pipe(z.string().max(8192, 'a credential value may be at most 8192 characters')));

/** Live modes need the platform's credential fields; mock mode needs none. */
function requireLiveCredentials(value: { platform?: (typeof PLATFORM_IDS)[number]; data_mode?: string; credentials?: Record<string, string> }, ctx: z.RefinementCtx) {
  if (!value.platform || !value.credentials || value.data_mode !== 'live') return;
  for (const field of PLATFORMS[value.platform].credentialFields) {
    if (!value.credentials[field]) ctx.addIssue({ code: 'custom', path: ['credentials', field], message: `${field} is required for a live ${value.platform} connection` });
  }
}

export const CreateConnectionBody = z
  .object({
    platform: z.enum(PLATFORM_IDS, { error: `platform must be one of: ${PLATFORM_IDS.join(', ')}` }),
    /** Absent: the user's default_data_mode (see routes/data-preferences.ts). */
    data_mode: z.enum(DATA_MODES).optional(),
    credentials: Credentials,
    display_name: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    account_id: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    sync_frequency: SyncFrequency.optional(),
  })
  .strict()
  .superRefine(requireLiveCredentials);

export const UpdateConnectionBody = z
  .object({
    display_name: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    data_mode: z.enum(DATA_MODES).optional(),
    credentials: Credentials.optional(),
    sync_frequency: SyncFrequency.optional(),
    // Users may pause a connection or re-activate it; other statuses are set by the system.
    status: z.enum(['active', 'disabled']).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'Give at least one field to update' });

/** POST …/sync: a backfill of the range, or the connection's next window when none is given. */
export const StartSyncBody = OptionalDateRange;

export const ListQuery = pageQuery(200, 50);

export const IdParam = z.object({ id: z.string() });

/** A resync of the whole connection, or of one of its streams. */
export const ResyncBody = z.object({ stream: z.enum(STREAM_KINDS, { error: `stream must be one of: ${STREAM_KINDS.join(', ')}` }).optional() }).strict();
