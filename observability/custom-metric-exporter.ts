import { Counter, Gauge, Histogram, Registry, exponentialBuckets } from 'prom-client';
import { labelsKey, type MetricKind, type MetricLabels } from '../domain/metric-sample';

/** A custom sample as the API stored it. */
export interface CustomSample {
  name: string;
  kind: MetricKind;
  labels: MetricLabels;
  value: number;
}

export type UnexportedReason = 'kind_conflict' | 'label_conflict' | 'series_limit';

export interface CustomMetricExporter {
  /** The custom metrics alone: served on /metrics beside the process's own, never sampled back into Postgres. */
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
const DEFAULT_MAX_SERIES = 10_000;

/**
 * Custom metrics recorded through the API, exported to Prometheus under their own names with an
 * `org_id` label: counters add the increments this process received, gauges hold the last value,
 * histograms and timers observe. A metric's label names are fixed by its first sample (Prometheus
 * wants one label set per metric), and the number of series is capped so that no client can grow
 * the scrape without bound; what cannot be exported stays in Postgres and is counted.
 */
export function createCustomMetricExporter(options: { processRegistry: Registry; maxSeries?: number }): CustomMetricExporter {
  const registry = new Registry();
  const unexportedTotal = new Counter({
    name: 'liftos_custom_metric_samples_unexported_total',
    help: 'Custom samples stored in Postgres but not exported to Prometheus (kind_conflict, label_conflict, series_limit)',
    labelNames: ['reason'],
    registers: [options.processRegistry],
  });
  const maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
  const metrics = new Map<string, Exported>();
  const series = new Set<string>();

  function exportedFor(sample: CustomSample, labelNames: string[]): Exported {
    const found = metrics.get(sample.name);
    if (found) return found;
    const family = familyOf(sample.kind);
    const config = { name: sample.name, help: `Custom ${sample.kind} recorded through the LiftOS API`, labelNames, registers: [registry] };
    const metric = family === 'counter' ? new Counter(config) : family === 'gauge' ? new Gauge(config) : new Histogram({ ...config, buckets: OBSERVATION_BUCKETS });
    const exported = { family, labelNames: new Set(labelNames), metric };
    metrics.set(sample.name, exported);
    return exported;
  }

  return {
    registry,
    record(orgId, samples) {
      const unexported: Array<{ sample: CustomSample; reason: UnexportedReason }> = [];
      for (const sample of samples) {
        // The recording org, whatever org_id the client sent.
        const labels = { ...sample.labels, org_id: orgId };
        const key = `${sample.name}{${labelsKey(labels)}}`;
        if (!series.has(key) && series.size >= maxSeries) {
          unexported.push({ sample, reason: 'series_limit' });
          continue;
        }
        const exported = exportedFor(sample, Object.keys(labels).sort());
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
