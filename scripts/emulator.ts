import { parseArgs } from 'node:util';
import { EMULATED_PLATFORMS, type EmulatedPlatform, startEmulator } from '../connectors/emulator';
import type { AccountShape } from '../connectors/mock/generator';

/**
 * `tsx scripts/emulator.ts --platform google_ads [--port 0] [--campaigns N --ad-sets-per-campaign N --ads-per-ad-set N
 * --contacts N --orders-per-day N --page-size N --seed N --account-id ID]`: runs one platform emulator until SIGINT/SIGTERM and prints
 * `{"platform","url"}` as one JSON line once it listens. Faults are injected through POST /__emulator/faults.
 */
const USAGE = `usage: tsx scripts/emulator.ts --platform ${EMULATED_PLATFORMS.join('|')} [--port N] [--campaigns N] [--ad-sets-per-campaign N] [--ads-per-ad-set N] [--contacts N] [--orders-per-day N] [--page-size N] [--seed N] [--account-id ID]`;

const SHAPE_OPTIONS = {
  campaigns: 'campaigns',
  'ad-sets-per-campaign': 'adSetsPerCampaign',
  'ads-per-ad-set': 'adsPerAdSet',
  contacts: 'contacts',
  seed: 'seed',
  'orders-per-day': 'ordersPerDay',
} as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      platform: { type: 'string' },
      port: { type: 'string', default: '0' },
      'page-size': { type: 'string' },
      'account-id': { type: 'string' },
      ...Object.fromEntries(Object.keys(SHAPE_OPTIONS).map((name) => [name, { type: 'string' as const }])),
    },
  });
  const platform = values.platform;
  if (!platform || !(EMULATED_PLATFORMS as readonly string[]).includes(platform)) throw new Error(USAGE);

  const shape: Partial<AccountShape> = values['account-id'] ? { accountId: values['account-id'] } : {};
  for (const [flag, field] of Object.entries(SHAPE_OPTIONS)) {
    const value = values[flag as keyof typeof values];
    if (typeof value === 'string') shape[field] = integerFlag(flag, value, 0);
  }
  const pageSize = values['page-size'] === undefined ? undefined : integerFlag('page-size', values['page-size'], 1);

  const emulator = await startEmulator(platform as EmulatedPlatform, { port: integerFlag('port', values.port!, 0), shape, pageSize });
  process.stdout.write(`${JSON.stringify({ platform, url: emulator.url })}\n`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
}

function integerFlag(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer ≥ ${min}`);
  return n;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
