import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { ROLES, type Role, signAccessToken } from '../security/access-token';

/** `npm run --silent token -- --org ORG --user USER --role ROLE [--ttl SECONDS]`: prints a signed API token. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { org: { type: 'string' }, user: { type: 'string' }, role: { type: 'string', default: 'admin' }, ttl: { type: 'string', default: String(7 * 24 * 3600) } },
  });
  if (!values.org || !values.user) throw new Error('usage: npm run --silent token -- --org ORG --user USER --role admin|editor|viewer [--ttl SECONDS]');
  if (!(ROLES as readonly string[]).includes(values.role!)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--ttl must be a positive number of seconds');
  const config = loadConfig(process.env, () => {});
  console.log(await signAccessToken({ orgId: values.org, userId: values.user, role: values.role as Role }, config.jwtSecret, ttl));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
