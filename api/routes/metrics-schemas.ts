import { z } from 'zod';
import { METRIC_AGGREGATES, METRIC_KINDS } from '../../domain/metric-sample';
import { Count, Timestamp } from '../response-schemas';

/** A metric's series in the range, one per label set; `truncated` when the point limit cut it short. */
export const MetricSeriesResponse = z.object({
  name: z.string(),
  from: Timestamp,
  to: Timestamp,
  step_seconds: z.int().positive().nullable(),
  aggregate: z.enum(METRIC_AGGREGATES).nullable(),
  series: z.array(
    z.object({
      labels: z.record(z.string(), z.string()),
      kind: z.enum(METRIC_KINDS),
      points: z.array(z.object({ at: Timestamp, value: z.number() })),
    }),
  ),
  truncated: z.boolean(),
});

/** Samples stored, and how many reached Prometheus (the others with why not). */
export const MetricSamplesRecordedResponse = z.object({
  recorded: Count,
  exported: Count,
  unexported: z.array(z.object({ name: z.string(), reason: z.string() })),
});
