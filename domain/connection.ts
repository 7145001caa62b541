/** Connection vocabulary shared by the API, activities and workflows. */
export const DATA_MODES = ['mock', 'live', 'auto', 'hybrid'] as const;
export type DataMode = (typeof DATA_MODES)[number];

export const CONNECTION_STATUSES = ['active', 'reauth_required', 'error', 'disabled'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const SYNC_FREQUENCIES = ['manual', 'hourly', 'every_6_hours', 'daily', 'weekly'] as const;
export type SyncFrequency = (typeof SYNC_FREQUENCIES)[number];

/** Where a sync's records came from. */
export type DataSource = 'live' | 'mock';
