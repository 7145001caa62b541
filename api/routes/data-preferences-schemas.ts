import { z } from 'zod';
import { DataModeName, Timestamp } from '../response-schemas';

/** The caller's default data mode; `is_default` while they have not set one. */
export const PreferencesResponse = z.object({ default_data_mode: DataModeName, is_default: z.boolean() });

/** The default data mode as saved. */
export const SavedPreferencesResponse = z.object({ default_data_mode: DataModeName, is_default: z.literal(false), updated_at: Timestamp });
