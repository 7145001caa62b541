import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { OPERATOR_ROLE, ROLES, type Role, signAccessToken } from '../security/access-token';

const USAGE =
  'usage: npm run --silent token -- --org ORG --user USER --role admin|editor|viewer [--ttl SECONDS]\n       npm run --silent token -- --operator --user USER [--ttl SECONDS]';

/**
 * Prints a signed API token: an org member's (`--org`, `--role`), or a deployment operator's
 * (`--operator`: no org; codec, key rotation, deployment-wide alerts).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      org: { type: 'string' },
      user: { type: 'string' },
      role: { type: 'string' },
      operator: { type: 'boolean', default: false },
      ttl: { type: 'string', default: String(7 * 24 * 3600) },
    },
  });
  if (!values.user) throw new Error(USAGE);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new Error('--ttl must be a positive number of seconds');
  const config = loadConfig(process.env, () => {});
  if (values.operator) {
    if (values.org || values.role) throw new Error('An operator token belongs to no org: --operator takes neither --org nor --role');
    console.log(await signAccessToken({ userId: values.user, role: OPERATOR_ROLE }, config.jwtSecret, ttl));
    return;
  }
  const role = values.role ?? 'admin';
  if (!values.org) throw new Error(USAGE);
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')} (a deployment operator: --operator)`);
  console.log(await signAccessToken({ orgId: values.org, userId: values.user, role: role as Role }, config.jwtSecret, ttl));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
