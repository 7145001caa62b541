/**
 * Versioned keys (the credential vault's master keys, the payload codec's keys): `CREDENTIALS_KEYS="v2:<base64>,v1:<base64>"`, the first being current.
 * Old versions stay until key rotation has re-wrapped every data key under the current one.
 */
export interface Keyring {
  currentVersion: string;
  keys: ReadonlyMap<string, Uint8Array>;
}

const VERSION = /^[A-Za-z0-9_-]{1,32}$/;

export function parseKeyring(spec: string, envName = 'CREDENTIALS_KEYS'): Keyring {
  const keys = new Map<string, Uint8Array>();
  let currentVersion: string | undefined;
  for (const entry of spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const version = separator > 0 ? entry.slice(0, separator) : '';
    if (!VERSION.test(version)) throw new Error(`${envName} entries look like v2:<base64 of 32 bytes>`);
    if (keys.has(version)) throw new Error(`${envName} names version ${version} twice`);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (key.length !== 32) throw new Error(`${envName} version ${version} must be 32 bytes (base64)`);
    keys.set(version, new Uint8Array(key));
    currentVersion ??= version;
  }
  if (!currentVersion) throw new Error(`${envName} holds no key`);
  return { currentVersion, keys };
}
