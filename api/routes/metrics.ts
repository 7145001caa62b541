import { Hono } from 'hono';
import { z } from 'zod';
import { insertMetricSamples, queryMetricSeries } from '../../db/repositories/metric-samples';
import {
  LABEL_NAME_PATTERN,
  MAX_LABEL_VALUE_LENGTH,
  MAX_LABELS,
  MAX_METRIC_NAME_LENGTH,
  METRIC_AGGREGATES,
  METRIC_KINDS,
  METRIC_NAME_PATTERN,
  customMetricNameProblem,
} from '../../domain/metric-sample';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { limitParam } from '../request-schemas';
import { routeDocs } from '../openapi/route-docs';
import { MetricSamplesRecordedResponse, MetricSeriesResponse } from './metrics-schemas';

const MetricName = z
  .string()
  .max(MAX_METRIC_NAME_LENGTH)
  .regex(METRIC_NAME_PATTERN, 'expected a Prometheus metric name: lower-case letters, digits and _, not starting with a digit');
/** What an org may record: its own namespace (liftos_custom_*), which no service metric uses. */
const CustomMetricName = MetricName.superRefine((name, ctx) => {
  const problem = customMetricNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const Labels = z
  .record(z.string().regex(LABEL_NAME_PATTERN, 'expected label names of letters, digits and _ (not starting with __)'), z.string().max(MAX_LABEL_VALUE_LENGTH))
  .refine((labels) => Object.keys(labels).length <= MAX_LABELS, { message: `at most ${MAX_LABELS} labels` });

const MAX_RANGE_MS = 31 * 86_400_000;
/** Custom samples may be back-dated a day (late reporters) and run ahead 5 minutes (clock skew). */
const MAX_BACKDATE_MS = 86_400_000;
const MAX_AHEAD_MS = 5 * 60_000;

/** `labels=platform=meta_business,region=eu` → { platform: 'meta_business', region: 'eu' }. */
const LabelFilter = z
  .string()
  .max(1000)
  .transform((text, ctx) => {
    const labels: Record<string, string> = {};
    for (const pair of text.split(',').filter(Boolean)) {
      const at = pair.indexOf('=');
      const name = at > 0 ? pair.slice(0, at) : '';
      if (!LABEL_NAME_PATTERN.test(name)) {
        ctx.addIssue({ code: 'custom', message: `expected name=value pairs separated by commas, got "${pair}"` });
        return z.NEVER;
      }
      labels[name] = pair.slice(at + 1);
    }
    return labels;
  });

const SeriesQuery = z
  .object({
    name: MetricName,
    labels: LabelFilter.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    step: z.coerce.number().int().min(1).max(86_400).optional(),
    aggregate: z.enum(METRIC_AGGREGATES).default('avg'),
    limit: limitParam(10_000, 5_000),
  })
  .transform((q) => {
    const to = q.to ? new Date(q.to) : new Date();
    return { ...q, to, from: q.from ? new Date(q.from) : new Date(to.getTime() - 3_600_000) };
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_RANGE_MS, { message: 'the range may span at most 31 days', path: ['from'] });

const Sample = z
  .object({
    name: CustomMetricName,
    kind: z.enum(METRIC_KINDS),
    value: z.number().finite(),
    labels: Labels.default({}),
    recorded_at: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((s) => s.kind === 'gauge' || s.value >= 0, { message: 'counter increments and histogram or timer observations cannot be negative', path: ['value'] });

const RecordBody = z.union([Sample, z.object({ samples: z.array(Sample).min(1).max(100) })]);

const describeRoute = routeDocs('Metrics');
const docs = {
  series: describeRoute({
    summary: "A metric's time series: the deployment's service metrics and the org's custom ones",
    responses: { 200: MetricSeriesResponse },
  }),
  record: describeRoute({
    summary: "Records custom samples (liftos_custom_*) for the org; Prometheus gets what fits the org's series budget",
    responses: { 201: MetricSamplesRecordedResponse },
  }),
};

/**
 * GET /api/v1/rollout-monitoring/metrics: a metric's time series (the deployment's service metrics and
 * the org's custom ones); POST records custom samples for the caller's org.
 */
export function metricRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', docs.series, validate('query', SeriesQuery), async (c) => {
      const q = c.req.valid('query');
      const { series, truncated } = await queryMetricSeries(deps.db, {
        name: q.name,
        orgId: c.get('principal').orgId,
        labels: q.labels ?? {},
        from: q.from,
        to: q.to,
        stepSeconds: q.step,
        aggregate: q.aggregate,
        limit: q.limit,
      });
      return c.json({
        name: q.name,
        from: q.from.toISOString(),
        to: q.to.toISOString(),
        step_seconds: q.step ?? null,
        aggregate: q.step ? q.aggregate : null,
        series: series.map((s) => ({ labels: s.labels, kind: s.kind, points: s.points.map((p) => ({ at: p.at.toISOString(), value: p.value })) })),
        truncated,
      });
    })
    .post('/', docs.record, validate('json', RecordBody), async (c) => {
      const body = c.req.valid('json');
      const samples = 'samples' in body ? body.samples : [body];
      const now = Date.now();
      const problems = samples.flatMap((s, i) => {
        if (!s.recorded_at) return [];
        const at = new Date(s.recorded_at).getTime();
        return at < now - MAX_BACKDATE_MS || at > now + MAX_AHEAD_MS
          ? [
              {
                field: 'samples' in body ? `samples.${i}.recorded_at` : 'recorded_at',
                message: 'must be within the last 24 hours (and at most 5 minutes ahead)',
              },
            ]
          : [];
      });
      if (problems.length > 0) throw new ApiError(400, 'validation_error', 'Invalid request body', problems);
      const orgId = c.get('principal').orgId;
      const recorded = await insertMetricSamples(
        deps.db,
        samples.map((s) => ({
          name: s.name,
          kind: s.kind,
          labels: s.labels,
          value: s.value,
          orgId,
          source: 'api_custom',
          recordedAt: s.recorded_at ? new Date(s.recorded_at) : new Date(now),
        })),
      );
      // Stored first: Postgres is the record; Prometheus gets what fits its model.
      const unexported = deps.customMetrics.record(orgId, samples);
      return c.json({ recorded, exported: recorded - unexported.length, unexported: unexported.map((u) => ({ name: u.sample.name, reason: u.reason })) }, 201);
    });
}
