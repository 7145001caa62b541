/** Metric vocabulary shared by the sampler, the API and the alert rules. */
export const METRIC_KINDS = ['counter', 'gauge', 'histogram', 'timer'] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** Prometheus' metric name syntax, lower-case only (names are compared as stored). */
export const METRIC_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;
/** Prometheus' label name syntax; names starting with `__` are reserved by Prometheus. */
export const LABEL_NAME_PATTERN = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;
export const MAX_METRIC_NAME_LENGTH = 120;
export const MAX_LABELS = 10;
export const MAX_LABEL_VALUE_LENGTH = 200;

export type MetricLabels = Record<string, string>;

/**
 * Every custom metric (recorded by an org through the API) is named under this prefix, and no service
 * metric is: an org's series can never be taken for the service's own (`liftos_*` of the API and the
 * worker, `temporal_*`, `process_*`, `nodejs_*`, `http_*`), by the alert rules or by Prometheus.
 */
export const CUSTOM_METRIC_PREFIX = 'liftos_custom_';
/** Series names Prometheus derives from a histogram's: a custom metric named so could shadow another's. */
export const DERIVED_SERIES_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

export function isCustomMetricName(name: string): boolean {
  return name.startsWith(CUSTOM_METRIC_PREFIX) && name.length > CUSTOM_METRIC_PREFIX.length;
}

/** Why a name cannot be a custom metric's, or null when it can. */
export function customMetricNameProblem(name: string): string | null {
  if (!isCustomMetricName(name)) return `custom metric names start with ${CUSTOM_METRIC_PREFIX} (the rest of the namespace is the service's own)`;
  const suffix = DERIVED_SERIES_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `custom metric names may not end with ${suffix} (Prometheus derives that series from histograms)`;
  return null;
}

/** The gauge an org records for its rollout's scope ({rollout_id}); the rollout error ratio rule reads it. */
export const ROLLOUT_ERROR_RATIO_METRIC = `${CUSTOM_METRIC_PREFIX}rollout_error_ratio`;

/**
 * Custom metrics the service's rules read, with the shape they read: exported with this kind and these
 * label names from the start, so that no org's first sample can claim them with another.
 */
export const CATALOGUE_CUSTOM_METRICS: ReadonlyArray<{ name: string; kind: MetricKind; labelNames: readonly string[] }> = [
  { name: ROLLOUT_ERROR_RATIO_METRIC, kind: 'gauge', labelNames: ['rollout_id'] },
];

/** The workers' histogram of live platform page requests ({platform, outcome}), fleet-wide; a rollout's analysis counts its own syncs' requests instead. */
export const PLATFORM_REQUEST_DURATION_METRIC = 'liftos_platform_request_duration_seconds';

/** One point of a time series. */
export interface MetricSample {
  name: string;
  kind: MetricKind;
  labels: MetricLabels;
  value: number;
  recordedAt: Date;
}

/** How points are combined into one value per step of a query. */
export const METRIC_AGGREGATES = ['avg', 'sum', 'min', 'max', 'count', 'p95'] as const;
export type MetricAggregate = (typeof METRIC_AGGREGATES)[number];

/** A label set as a stable string: the identity of a series. */
export function labelsKey(labels: MetricLabels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}
