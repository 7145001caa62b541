import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { insertMetricSamples, type MetricSampleInput } from '../db/repositories/metric-samples';
import type { Database } from '../db/schema';
import { labelsKey, type MetricKind } from '../domain/metric-sample';
import type { Logger } from '../observability/logger';

/**
 * The process metrics kept as time series in Postgres: the app's own (`liftos_*`, less the alert
 * gauges, which are derived from Postgres already), request durations and the two capacity gauges.
 * Everything else of the registry stays in Prometheus only; this keeps the table's growth bounded by
 * the app's label sets, not by whatever a library registers.
 */
export function isSampledMetric(name: string): boolean {
  if (name.startsWith('liftos_alert')) return false;
  return (
    name.startsWith('liftos_') ||
    name === 'http_request_duration_seconds' ||
    name === 'process_resident_memory_bytes' ||
    name === 'nodejs_eventloop_lag_p99_seconds'
  );
}

export interface MetricSampler {
  /** Reads the registry and writes what changed since the last tick; returns the rows written. */
  sampleOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Copies a prom-client registry into metric_samples every interval. Counters and histograms are
 * stored as their increase since the previous tick (histograms as `<name>_sum` and `<name>_count`),
 * so a range's total is a plain sum and a process restart needs no reset detection; series that did
 * not move write nothing. Gauges are stored as read.
 */
export function startMetricSampler(options: {
  registry: Registry;
  db: Kysely<Database>;
  /** Which process is sampled (`api`, `worker`): stored with each row. */
  source: string;
  intervalMs: number;
  include?: (name: string) => boolean;
  logger?: Logger;
}): MetricSampler {
  const include = options.include ?? isSampledMetric;
  const previous = new Map<string, number>();
  let running: Promise<number> | null = null;

  /** The tick's rows and the cumulative values they were computed against (kept only once written). */
  async function read(): Promise<{ samples: MetricSampleInput[]; seen: Map<string, number> }> {
    const at = new Date();
    const samples: MetricSampleInput[] = [];
    const seen = new Map<string, number>();
    for (const metric of await options.registry.getMetricsAsJSON()) {
      if (!include(metric.name)) continue;
      const type = String(metric.type);
      for (const point of metric.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
        const name = point.metricName ?? metric.name;
        const labels = Object.fromEntries(Object.entries(point.labels).map(([k, v]) => [k, String(v)]));
        if (type === 'gauge') {
          samples.push({ name, kind: 'gauge', labels, value: point.value, orgId: null, source: options.source, recordedAt: at });
          continue;
        }
        if (type !== 'counter' && type !== 'histogram') continue;
        if (type === 'histogram' && !name.endsWith('_sum') && !name.endsWith('_count')) continue; // buckets stay in Prometheus
        const key = `${name}{${labelsKey(labels)}}`;
        const last = previous.get(key);
        seen.set(key, point.value);
        const delta = last === undefined || point.value < last ? point.value : point.value - last;
        if (delta === 0) continue;
        samples.push({ name, kind: type as MetricKind, labels, value: delta, orgId: null, source: options.source, recordedAt: at });
      }
    }
    return { samples, seen };
  }

  const sampleOnce = async (): Promise<number> => {
    while (running) await running.catch(() => 0);
    running = read().then(async ({ samples, seen }) => {
      const written = await insertMetricSamples(options.db, samples);
      for (const [key, value] of seen) previous.set(key, value);
      return written;
    });
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const timer = setInterval(() => {
    sampleOnce().catch((err: unknown) => options.logger?.warn({ error: err instanceof Error ? err.message : String(err) }, 'metric sampling failed'));
  }, options.intervalMs);
  timer.unref();

  return {
    sampleOnce,
    async stop() {
      clearInterval(timer);
      if (running) await running.catch(() => 0);
    },
  };
}
