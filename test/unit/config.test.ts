import { randomBytes } from 'node:crypto';
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
    expect(config.credentialsKeys.keyring.currentVersion).toBe('v1');
    expect(config.credentialsKeys.spec).toBe(`v1:${readFileSync(join(dataDir, 'credentials.key'), 'utf8')}`);
    expect(warnings.join('\n')).toMatch(/CREDENTIALS_KEY is not set/);
    // The same key on the next start: data encrypted before stays readable.
    expect(loadConfig({ DATA_DIR: dataDir }, () => {}).credentialsKeys.spec).toBe(config.credentialsKeys.spec);
  });

  it('reads a versioned keyring, the first key current, and rejects malformed ones', () => {
    const [k1, k2] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const { keyring } = loadConfig({ DATA_DIR: dataDir, CREDENTIALS_KEYS: `v2:${k2}, v1:${k1}` }, () => {}).credentialsKeys;
    expect(keyring.currentVersion).toBe('v2');
    expect([...keyring.keys.keys()]).toEqual(['v2', 'v1']);
    expect(loadConfig({ DATA_DIR: dataDir, CREDENTIALS_KEY: k1 }, () => {}).credentialsKeys.keyring.currentVersion).toBe('v1');
    for (const bad of [`v2:${k2},v2:${k1}`, 'v1:c2hvcnQ=', `${k1}`, '']) {
      expect(() => loadConfig({ DATA_DIR: dataDir, CREDENTIALS_KEYS: bad }, () => {})).toThrow(/CREDENTIALS_KEYS/);
    }
  });

  it('reads per-platform base URLs and rejects invalid values', () => {
    const config = loadConfig({ DATA_DIR: dataDir, META_BUSINESS_BASE_URL: 'http://127.0.0.1:9999', PORT: '9000' }, () => {});
    expect(config.platformBaseUrls.meta_business).toBe('http://127.0.0.1:9999');
    expect(config.apiPort).toBe(9000);
    expect(() => loadConfig({ DATA_DIR: dataDir, PORT: 'eighty' }, () => {})).toThrow(/PORT/);
    expect(() => loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'short' }, () => {})).toThrow(/JWT_SECRET/);
  });

  it('reads the incremental sync and failure policy settings, with defaults', () => {
    expect(loadConfig({ DATA_DIR: dataDir }, () => {})).toMatchObject({
      syncPolicy: { lookbackDays: 7, failureWarningAfter: 3, failureDisableAfter: 6 },
      notificationWebhookUrl: undefined,
    });
    const config = loadConfig(
      {
        DATA_DIR: dataDir,
        SYNC_LOOKBACK_DAYS: '3',
        SYNC_FAILURE_WARNING_AFTER: '2',
        SYNC_FAILURE_DISABLE_AFTER: '4',
        NOTIFICATION_WEBHOOK_URL: 'http://127.0.0.1:9999/hook',
      },
      () => {},
    );
    expect(config).toMatchObject({
      syncPolicy: { lookbackDays: 3, failureWarningAfter: 2, failureDisableAfter: 4 },
      notificationWebhookUrl: 'http://127.0.0.1:9999/hook',
    });
    expect(() => loadConfig({ DATA_DIR: dataDir, SYNC_FAILURE_WARNING_AFTER: '5', SYNC_FAILURE_DISABLE_AFTER: '5' }, () => {})).toThrow(
      /SYNC_FAILURE_DISABLE_AFTER/,
    );
    expect(() => loadConfig({ DATA_DIR: dataDir, NOTIFICATION_WEBHOOK_URL: 'not a url' }, () => {})).toThrow(/NOTIFICATION_WEBHOOK_URL/);
  });

  it("reads the start script's dev server ports, the paging heartbeat timeout and a pre-built workflow bundle, with defaults", () => {
    expect(loadConfig({ DATA_DIR: dataDir }, () => {})).toMatchObject({
      temporalDevServer: { port: 7233, uiPort: 8233 },
      syncPolicy: { heartbeatTimeoutSeconds: 30 },
      workflowBundlePath: undefined,
    });
    const config = loadConfig(
      {
        DATA_DIR: dataDir,
        TEMPORAL_DEV_SERVER_PORT: '17233',
        TEMPORAL_UI_PORT: '18233',
        SYNC_HEARTBEAT_TIMEOUT_SECONDS: '5',
        WORKFLOW_BUNDLE_PATH: '/tmp/bundle.js',
      },
      () => {},
    );
    expect(config).toMatchObject({
      temporalDevServer: { port: 17233, uiPort: 18233 },
      syncPolicy: { heartbeatTimeoutSeconds: 5 },
      workflowBundlePath: '/tmp/bundle.js',
    });
    expect(() => loadConfig({ DATA_DIR: dataDir, SYNC_HEARTBEAT_TIMEOUT_SECONDS: '1' }, () => {})).toThrow(/SYNC_HEARTBEAT_TIMEOUT_SECONDS/);
  });
});
