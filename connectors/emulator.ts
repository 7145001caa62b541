import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { PlatformId } from '../domain/platforms';
import { addDays } from '../domain/sync';
import type { Credentials } from './connector';
import type { EmulatedFailure, OffsetCursorCodec, PlatformEmulatorDefinition } from './platform-emulator';
import { googleAdsEmulator } from './google-ads/emulator';
import { hubspotEmulator } from './hubspot/emulator';
import { klaviyoEmulator } from './klaviyo/emulator';
import { linkedInAdsEmulator } from './linkedin-ads/emulator';
import { metaBusinessEmulator } from './meta-business/emulator';
import { salesforceEmulator } from './salesforce/emulator';
import { shopifyEmulator } from './shopify/emulator';
import { stripeEmulator } from './stripe/emulator';
import { paypalEmulator } from './paypal/emulator';
import { tiktokEmulator } from './tiktok/emulator';
import { wooCommerceEmulator } from './woocommerce/emulator';
import { xAdsEmulator } from './x-ads/emulator';
import { zohoCrmEmulator } from './zoho-crm/emulator';
import { snowflakeEmulator } from './snowflake/emulator';
import { databricksEmulator } from './databricks/emulator';
import { amazonSellerCentralEmulator } from './amazon-seller-central/emulator';
import { type AccountShape, DEFAULT_ACCOUNT_SHAPE } from './mock/generator';
import { prng } from './mock/random';

/**
 * Local stand-ins for platform APIs: real HTTP on loopback, the platform's documented shapes,
 * data from the seeded generator, and faults that tests (in process) or benchmarks (over HTTP) inject.
 */

export const EMULATED_PLATFORMS = [
  'meta_business',
  'google_ads',
  'klaviyo',
  'tiktok',
  'linkedin_ads',
  'x_ads',
  'hubspot',
  'salesforce',
  'zoho_crm',
  'shopify',
  'woocommerce',
  'stripe',
  'paypal',
  'snowflake',
  'databricks',
  'amazon_seller_central',
] as const satisfies readonly PlatformId[];
export type EmulatedPlatform = (typeof EMULATED_PLATFORMS)[number];

export const faultSettingsSchema = z
  .object({
    /** The next `count` API requests fail with `status`. */
    failNext: z.object({ status: z.union([z.literal(401), z.literal(429), z.literal(500), z.literal(503)]), count: z.number().int().nonnegative() }).optional(),
    /** Share of API requests that fail with a 500, drawn from a seeded sequence. */
    errorRate: z.number().min(0).max(1).optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    /** The next N API requests get a 200 with a truncated JSON body. */
    malformedNext: z.number().int().nonnegative().optional(),
    /** Serve an account with no campaigns and no contacts. */
    empty: z.boolean().optional(),
    /** The delay a rate-limit answer asks for, in the platform's own signal; 30 s unless set. */
    retryAfterSeconds: z.number().int().positive().optional(),
    /** Answers report clicks and impressions swapped (clicks above impressions): data that fails a quality check. */
    implausibleMetrics: z.boolean().optional(),
    /**
     * Generated names (ads, campaigns, contacts, cities, products) carry a NUL and an unpaired UTF-16
     * surrogate, which Postgres cannot store: every platform serves records a sync must clean.
     */
    unstorableText: z.boolean().optional(),
    /** Warehouse statements keep running through this many status polls before their result is ready. */
    runningPolls: z.number().int().nonnegative().optional(),
    /** The platform keeps only its last N days (through asOf): older days of a requested range are left out of the answer. */
    retentionDays: z.number().int().positive().optional(),
  })
  .strict();
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export interface EmulatorStats {
  /** API requests received (control requests excluded). */
  requests: number;
  failuresInjected: number;
  /** Arrival times (epoch ms) of the latest API requests, oldest first, at most ARRIVAL_LOG_SIZE: what rate limits are judged by. */
  arrivals: number[];
}

const ARRIVAL_LOG_SIZE = 10_000;

export interface FaultController {
  /** Replaces the fault settings. */
  set(settings: FaultSettings): void;
  clear(): void;
  stats(): EmulatorStats;
}

const PLATFORM_EMULATORS: Record<EmulatedPlatform, PlatformEmulatorDefinition> = {
  meta_business: metaBusinessEmulator,
  google_ads: googleAdsEmulator,
  klaviyo: klaviyoEmulator,
  tiktok: tiktokEmulator,
  linkedin_ads: linkedInAdsEmulator,
  x_ads: xAdsEmulator,
  hubspot: hubspotEmulator,
  salesforce: salesforceEmulator,
  zoho_crm: zohoCrmEmulator,
  shopify: shopifyEmulator,
  woocommerce: wooCommerceEmulator,
  stripe: stripeEmulator,
  paypal: paypalEmulator,
  snowflake: snowflakeEmulator,
  databricks: databricksEmulator,
  amazon_seller_central: amazonSellerCentralEmulator,
};

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  shape?: Partial<AccountShape>;
  /** Credentials the emulator accepts; the platform's emulator defaults otherwise. */
  credentials?: Credentials;
  pageSize?: number;
  /** YYYY-MM-DD; today (UTC) by default. */
  asOf?: string;
}

export interface RunningEmulator {
  platform: EmulatedPlatform;
  /** Base URL to use as the connector's `baseUrl`. */
  url: string;
  /** The account the emulator serves, before faults. */
  shape: AccountShape;
  credentials: Credentials;
  /** What a connector needs to reach this emulator: the accepted credentials plus any host fields. */
  connectorCredentials: Credentials;
  faults: FaultController;
  close(): Promise<void>;
}

const DEFAULT_RETRY_AFTER_SECONDS = 30;
const TRUNCATED_JSON = '{"data": [{"id": ';

export async function startEmulator(platform: EmulatedPlatform, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const definition = PLATFORM_EMULATORS[platform];
  const shape: AccountShape = { ...DEFAULT_ACCOUNT_SHAPE, accountId: definition.defaultAccountId, ...options.shape };
  const credentials = options.credentials ?? definition.defaultCredentials;
  const faults = createFaultState(shape.seed);
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  const emulator = definition.create({
    account: () => ({
      ...shape,
      ...(faults.settings.empty ? { campaigns: 0, contacts: 0, ordersPerDay: 0 } : {}),
      ...(faults.settings.unstorableText ? { unstorableText: true } : {}),
    }),
    credentials,
    pageSize: options.pageSize,
    asOf,
    retryAfterSeconds: () => faults.settings.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    cursor: offsetCursor,
    statementPolls: () => faults.settings.runningPolls ?? 0,
    retained: (window) => {
      const days = faults.settings.retentionDays;
      if (days === undefined) return window;
      const oldest = addDays(asOf, -(days - 1));
      return window.endDate < oldest ? null : { startDate: window.startDate < oldest ? oldest : window.startDate, endDate: window.endDate };
    },
  });

  const app = new Hono();
  app.post('/__emulator/faults', async (c) => {
    const parsed = faultSettingsSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }, 400);
    faults.controller.set(parsed.data);
    return c.json({ faults: faults.settings });
  });
  app.get('/__emulator/stats', (c) => c.json(faults.controller.stats()));
  app.use('*', async (c, next) => {
    faults.requests++;
    faults.arrivals.push(Date.now());
    if (faults.arrivals.length > ARRIVAL_LOG_SIZE) faults.arrivals.splice(0, faults.arrivals.length - ARRIVAL_LOG_SIZE);
    if (faults.settings.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.settings.latencyMs));
    const injected = faults.nextInjection();
    if (injected === 'malformed') return c.body(TRUNCATED_JSON, 200, { 'content-type': 'application/json' });
    if (injected) return emulator.failure(c, injected.failure, injected.status);
    await next();
    if (faults.settings.implausibleMetrics && c.res.headers.get('content-type')?.includes('json')) {
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(JSON.stringify(swapClicksAndImpressions(await c.res.json())), { status: c.res.status, headers });
    }
  });
  app.route('/', emulator.app);

  const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('The emulator is not listening on a TCP port'));
    });
  });

  return {
    platform,
    url: `http://127.0.0.1:${port}`,
    shape,
    credentials,
    connectorCredentials: { ...credentials, ...definition.hostCredentials?.(`http://127.0.0.1:${port}`) },
    faults: faults.controller,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections from fetch would otherwise hold close() open.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

type Injection = 'malformed' | { failure: EmulatedFailure; status: ContentfulStatusCode } | null;

function createFaultState(seed: number) {
  let random = prng(seed);
  const state = {
    settings: {} as FaultSettings,
    requests: 0,
    failuresInjected: 0,
    arrivals: [] as number[],
    nextInjection(): Injection {
      const { failNext, malformedNext, errorRate } = state.settings;
      if (failNext && failNext.count > 0) {
        failNext.count--;
        state.failuresInjected++;
        return { failure: failureForStatus(failNext.status), status: failNext.status };
      }
      if (malformedNext && malformedNext > 0) {
        state.settings.malformedNext = malformedNext - 1;
        state.failuresInjected++;
        return 'malformed';
      }
      if (errorRate && random() < errorRate) {
        state.failuresInjected++;
        return { failure: 'server_error', status: 500 };
      }
      return null;
    },
    controller: {
      set(settings: FaultSettings) {
        // A copy: `failNext.count` and `malformedNext` count down as requests consume them.
        state.settings = { ...settings, failNext: settings.failNext && { ...settings.failNext } };
        random = prng(seed);
      },
      clear() {
        state.controller.set({});
      },
      stats: (): EmulatorStats => ({ requests: state.requests, failuresInjected: state.failuresInjected, arrivals: [...state.arrivals] }),
    } satisfies FaultController,
  };
  return state;
}

/** Every object that reports both clicks and impressions, whatever the platform's nesting, gets them swapped. */
function swapClicksAndImpressions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(swapClicksAndImpressions);
  if (typeof value !== 'object' || value === null) return value;
  const swapped = Object.fromEntries(Object.entries(value).map(([key, v]) => [key, swapClicksAndImpressions(v)]));
  if ('clicks' in swapped && 'impressions' in swapped) [swapped.clicks, swapped.impressions] = [swapped.impressions, swapped.clicks];
  return swapped;
}

function failureForStatus(status: 401 | 429 | 500 | 503): EmulatedFailure {
  if (status === 401) return 'auth';
  if (status === 429) return 'rate_limited';
  return 'server_error';
}

const offsetCursor: OffsetCursorCodec = {
  encode: (offset, scope = '') => Buffer.from(`${scope}|${offset}`).toString('base64url'),
  decode(token, scope = '') {
    const match = /^(.*)\|(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
    return match && match[1] === scope ? Number(match[2]) : null;
  },
};
