import { Hono } from 'hono';
import { PLATFORM_IDS, PLATFORM_TIER_NAMES, PLATFORMS } from '../../domain/platforms';
import type { AppEnv } from '../app-env';
import { routeDocs } from '../openapi/route-docs';
import { PlatformsResponse } from './platforms-schemas';

const doc = routeDocs('Platforms')({
  summary: 'The platforms: tier and tier name, auth type, streams, credential fields',
  responses: { 200: PlatformsResponse },
});

export function platformRoutes() {
  return new Hono<AppEnv>().get('/', doc, (c) =>
    c.json({
      platforms: PLATFORM_IDS.map((id) => {
        const p = PLATFORMS[id];
        return {
          id,
          name: p.name,
          tier: p.tier,
          tier_name: PLATFORM_TIER_NAMES[p.tier],
          auth_type: p.authType,
          category: p.category,
          streams: p.streams,
          credential_fields: p.credentialFields,
        };
      }),
    }),
  );
}
