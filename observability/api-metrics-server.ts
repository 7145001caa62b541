import type { Registry } from 'prom-client';
import type { CustomMetricExporter } from './custom-metric-exporter';
import { type MetricsServer, startMetricsServer } from './metrics-server';

/**
 * The API's /metrics, on a port of its own (API_METRICS_PORT), never on the public API port: its
 * custom series carry every org's ids and label values, so only the scraper's network reaches them.
 * One exposition: the process registry, then the orgs' custom metrics.
 */
export function startApiMetricsServer(options: {
  metrics: Registry;
  customMetrics: CustomMetricExporter;
  port: number;
  hostname: string;
}): Promise<MetricsServer> {
  return startMetricsServer({
    registry: options.metrics,
    port: options.port,
    hostname: options.hostname,
    extra: () => options.customMetrics.registry.metrics(),
  });
}
