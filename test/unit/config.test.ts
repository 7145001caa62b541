import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';

describe('configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liftos-config-'));

  it('has working defaults and generates development secrets with a warning', () => {
    const warnings: string[] = [];
    const config = loadConfig({ DATA_DIR: dataDir }, (m) => warnings.push(m));
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'liftos-connect' });
    expect(config.apiPort).toBe(8080);
    expect(Buffer.from(config.credentialsKey, 'base64')).toHaveLength(32);
    expect(readFileSync(join(dataDir, 'credentials.key'), 'utf8')).toBe(config.credentialsKey);
    expect(warnings.join('\n')).toMatch(/CREDENTIALS_KEY is not set/);
    // The same key on the next start: data encrypted before stays readable.
    expect(loadConfig({ DATA_DIR: dataDir }, () => {}).credentialsKey).toBe(config.credentialsKey);
  });

  it('reads per-platform base URLs and rejects invalid values', () => {
    const config = loadConfig({ DATA_DIR: dataDir, META_BUSINESS_BASE_URL: 'http://127.0.0.1:9999', PORT: '9000' }, () => {});
    expect(config.platformBaseUrls.meta_business).toBe('http://127.0.0.1:9999');
    expect(config.apiPort).toBe(9000);
    expect(() => loadConfig({ DATA_DIR: dataDir, PORT: 'eighty' }, () => {})).toThrow(/PORT/);
    expect(() => loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'short' }, () => {})).toThrow(/JWT_SECRET/);
  });
});
