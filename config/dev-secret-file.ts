import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a development secret from `path`, generating a random 32-byte one on first use.
 * Production sets the secret through the environment; this keeps a fresh clone usable
 * while making the fallback loud.
 */
export function readOrCreateDevSecret(path: string, envName: string, warn: (message: string) => void): string {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  warn(`${envName} is not set: using the development secret in ${path}. Set ${envName} in production.`);
  return readFileSync(path, 'utf8').trim();
}
