import { z } from 'zod';
import { ALERT_SEVERITIES, ALERT_TYPES } from '../../domain/alert-rules';
import { AlertView } from '../response-schemas';

export const AlertListResponse = z.object({ alerts: z.array(AlertView) });

const Severity = z.enum(ALERT_SEVERITIES);

/** The rule catalogue the alert evaluation checks. */
export const AlertRulesResponse = z.object({
  severities: z.array(Severity),
  types: z.array(z.enum(ALERT_TYPES)),
  rules: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.enum(ALERT_TYPES),
      severity: Severity,
      signal: z.string(),
      window_seconds: z.int().positive(),
      comparator: z.enum(['above', 'below']),
      threshold: z.number(),
      escalation: z.array(z.object({ after_seconds: z.int().positive(), severity: Severity })),
      description: z.string(),
    }),
  ),
});
