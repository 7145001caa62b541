import { z } from 'zod';

/** GET /health: `ok` per check, else `failed` (an operator's token gets the failure's message instead). */
export const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ postgres: z.string(), temporal: z.string() }),
});
