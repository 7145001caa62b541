import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodSchema } from 'zod';
import { ApiError } from '../api-error';

/** zod validation with field-level details in the API's error format. */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodSchema>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const details = result.error.issues.map((issue) => ({ field: issue.path.join('.') || null, message: issue.message }));
      throw new ApiError(400, 'validation_error', `Invalid ${target === 'json' ? 'request body' : target}`, details);
    }
  });
}
