import { Hono } from 'hono';
import { z } from 'zod';
import { DEFAULT_DATA_MODE, findDefaultDataMode, saveDefaultDataMode } from '../../db/repositories/data-preferences';
import { DATA_MODES } from '../../domain/connection';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { routeDocs } from '../openapi/route-docs';
import { PreferencesResponse, SavedPreferencesResponse } from './data-preferences-schemas';

const PreferencesBody = z.object({ default_data_mode: z.enum(DATA_MODES) }).strict();

const describeRoute = routeDocs('Preferences');
const docs = {
  read: describeRoute({
    summary: "The caller's default data mode (what their new connections get without data_mode)",
    responses: { 200: PreferencesResponse },
  }),
  save: describeRoute({ summary: "Sets the caller's own default data mode", responses: { 200: SavedPreferencesResponse } }),
};

/** The caller's own preferences: the data mode their new connections get when they name none. */
export function dataPreferenceRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/', docs.read, async (c) => {
      const { orgId, userId } = c.get('principal');
      const mode = await findDefaultDataMode(deps.db, orgId, userId);
      return c.json({ default_data_mode: mode ?? DEFAULT_DATA_MODE, is_default: mode === undefined });
    })
    .put('/', docs.save, validate('json', PreferencesBody), async (c) => {
      const { orgId, userId } = c.get('principal');
      const body = c.req.valid('json');
      const saved = await saveDefaultDataMode(deps.db, orgId, userId, body.default_data_mode);
      await c.get('audit')({
        action: 'preferences.update',
        targetType: 'user',
        targetId: userId,
        outcome: 'success',
        details: { default_data_mode: body.default_data_mode },
      });
      return c.json({ default_data_mode: saved.default_data_mode, is_default: false, updated_at: saved.updated_at.toISOString() });
    });
}
