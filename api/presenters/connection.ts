import type { Connection } from '../../db/schema';
import type { ConnectionView } from '../response-schemas';

/** The public view of a connection: snake_case, and never its credentials. */
export function presentConnection(c: Connection): ConnectionView {
  return {
    id: c.id,
    org_id: c.org_id,
    user_id: c.user_id,
    platform: c.platform,
    account_id: c.account_id,
    display_name: c.display_name,
    status: c.status,
    data_mode: c.data_mode,
    sync_frequency: c.sync_frequency,
    credentials_configured: c.credentials_ciphertext.length > 0,
    last_sync_at: c.last_sync_at?.toISOString() ?? null,
    last_sync_status: c.last_sync_status,
    consecutive_sync_failures: c.consecutive_sync_failures,
    sync_warning: c.sync_warning_at !== null,
    sync_warning_at: c.sync_warning_at?.toISOString() ?? null,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
  };
}
