import { Histogram, type Registry } from 'prom-client';
import type { PlatformRequestObservation } from '../connectors/registry';
import { PLATFORM_REQUEST_DURATION_METRIC } from '../domain/metric-sample';

/** Live page requests to the platforms, timed by the worker; the rollout analysis reads their samples. */
export function createPlatformRequestMetrics(registry: Registry): (observation: PlatformRequestObservation) => void {
  const duration = new Histogram({
    name: PLATFORM_REQUEST_DURATION_METRIC,
    help: 'Duration of live platform page requests, by platform and outcome (ok or the failure kind)',
    labelNames: ['platform', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  return ({ platform, outcome, seconds }) => duration.observe({ platform, outcome }, seconds);
}
