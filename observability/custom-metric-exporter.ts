import { Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';
import { CATALOGUE_CUSTOM_METRICS, customMetricNameProblem, labelsKey, type MetricKind, type MetricLabels } from '../domain/metric-sample';

/** A custom sample as the API stored it. */
export interface CustomSample {
  name: string;
  kind: MetricKind;
  labels: MetricLabels;
  value: number;
}

export type UnexportedReason = 'reserved_name' | 'kind_conflict' | 'label_conflict' | 'series_limit';

export interface CustomMetricExporter {
  /** The custom metrics alone: served on the metrics port beside the process's own, never sampled back into Postgres. */
  registry: Registry;
  /** Exports an org's samples (stored already); answers how many could not be, and why. */
  record(orgId: string, samples: readonly CustomSample[]): Array<{ sample: CustomSample; reason: UnexportedReason }>;
}

type Family = 'counter' | 'gauge' | 'histogram';
interface Exported {
  family: Family;
  labelNames: ReadonlySet<string>;
  metric: Counter<string> | Gauge<string> | Histogram<string>;
}

const familyOf = (kind: MetricKind): Family => (kind === 'timer' ? 'histogram' : kind);
/** Custom observations come in any unit: buckets from a millisecond to a million cover seconds, ms and bytes alike. */
const OBSERVATION_BUCKETS = exponentialBuckets(0.001, 4, 16);
/** Label names prom-client keeps for itself (a histogram's buckets). */
const RESERVED_LABELS = new Set(['le']);
export const DEFAULT_MAX_SERIES_PER_ORG = 1_000;

/**
 * Custom metrics recorded through the API, exported to Prometheus under their own names (always
 * `liftos_custom_*`, never a name the process registry has) with an `org_id` label: counters add the
 * increments this process received, gauges hold the last value, histograms and timers observe. A
 * metric's kind and label names are fixed by its first sample (Prometheus wants one type and label set
 * per metric), except the catalogue's (CATALOGUE_CUSTOM_METRICS), whose shape is fixed up front. Each
 * org may export `maxSeriesPerOrg` series, so that no org can grow the scrape without bound or use up
 * another's room; what cannot be exported stays in Postgres and is counted.
 */
export function createCustomMetricExporter(options: { processRegistry: Registry; maxSeriesPerOrg?: number }): CustomMetricExporter {
  const registry = new Registry();
  const unexportedTotal = new Counter({
    name: 'liftos_unexported_custom_samples_total',
    help: 'Custom samples stored in Postgres but not exported to Prometheus (reserved_name, kind_conflict, label_conflict, series_limit)',
    labelNames: ['reason'],
    registers: [options.processRegistry],
  });
  const maxSeriesPerOrg = options.maxSeriesPerOrg ?? DEFAULT_MAX_SERIES_PER_ORG;
  const metrics = new Map<string, Exported>();
  const seriesByOrg = new Map<string, Set<string>>();

  function exportedFor(sample: Pick<CustomSample, 'name' | 'kind'>, labelNames: string[]): Exported {
    const found = metrics.get(sample.name);
    if (found) return found;
    const family = familyOf(sample.kind);
    const config = { name: sample.name, help: `Custom ${sample.kind} recorded through the LiftOS API`, labelNames, registers: [registry] };
    const metric =
      family === 'counter' ? new Counter(config) : family === 'gauge' ? new Gauge(config) : new Histogram({ ...config, buckets: OBSERVATION_BUCKETS });
    const exported = { family, labelNames: new Set(labelNames), metric };
    metrics.set(sample.name, exported);
    return exported;
  }
  // The metrics the service's rules read exist before any org's sample could give them another shape.
  for (const known of CATALOGUE_CUSTOM_METRICS) exportedFor(known, [...known.labelNames, 'org_id'].sort());

  return {
    registry,
    record(orgId, samples) {
      const unexported: Array<{ sample: CustomSample; reason: UnexportedReason }> = [];
      let series = seriesByOrg.get(orgId);
      if (!series) seriesByOrg.set(orgId, (series = new Set()));
      for (const sample of samples) {
        // The API refuses such names; this guards every other caller, and a service metric added under the prefix.
        if (customMetricNameProblem(sample.name) || options.processRegistry.getSingleMetric(sample.name)) {
          unexported.push({ sample, reason: 'reserved_name' });
          continue;
        }
        // The recording org, whatever org_id the client sent.
        const labels = { ...sample.labels, org_id: orgId };
        const key = `${sample.name}{${labelsKey(labels)}}`;
        if (!series.has(key) && series.size >= maxSeriesPerOrg) {
          unexported.push({ sample, reason: 'series_limit' });
          continue;
        }
        const labelNames = Object.keys(labels).sort();
        if (!metrics.has(sample.name) && familyOf(sample.kind) === 'histogram' && labelNames.some((name) => RESERVED_LABELS.has(name))) {
          unexported.push({ sample, reason: 'label_conflict' });
          continue;
        }
        const exported = exportedFor(sample, labelNames);
        if (exported.family !== familyOf(sample.kind)) {
          unexported.push({ sample, reason: 'kind_conflict' });
          continue;
        }
        if (Object.keys(labels).some((name) => !exported.labelNames.has(name))) {
          unexported.push({ sample, reason: 'label_conflict' });
          continue;
        }
        series.add(key);
        if (exported.metric instanceof Counter) exported.metric.inc(labels, sample.value);
        else if (exported.metric instanceof Gauge) exported.metric.set(labels, sample.value);
        else exported.metric.observe(labels, sample.value);
      }
      for (const { reason } of unexported) unexportedTotal.inc({ reason });
      return unexported;
    },
  };
}
