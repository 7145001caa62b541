import { loadConfig } from '../../config/config';

const base = {
  JWT_SECRET: 'x'.repeat(48),
  CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
  PAYLOAD_CODEC_KEYS: `p1:${Buffer.alloc(32, 9).toString('base64')}`,
};

describe('monitoring configuration', () => {
  it('defaults: no webhook, sampling every minute, 14 days of samples', () => {
    expect(loadConfig(base, () => {}).monitoring).toEqual({
      webhookUrl: undefined,
      webhookSecret: undefined,
      sampleIntervalSeconds: 60,
      retentionDays: 14,
      customSeriesPerOrg: 1000,
    });
  });

  it("serves the API's metrics on a port of their own, on loopback unless told otherwise, and budgets custom series per org", () => {
    const defaults = loadConfig(base, () => {});
    expect({ api: defaults.apiPort, apiMetrics: defaults.apiMetricsPort, host: defaults.metricsHost }).toEqual({
      api: 8080,
      apiMetrics: 9466,
      host: '127.0.0.1',
    });
    const set = loadConfig({ ...base, API_METRICS_PORT: '9500', METRICS_HOST: '0.0.0.0', CUSTOM_METRIC_SERIES_PER_ORG: '50' }, () => {});
    expect({ apiMetrics: set.apiMetricsPort, host: set.metricsHost, perOrg: set.monitoring.customSeriesPerOrg }).toEqual({
      apiMetrics: 9500,
      host: '0.0.0.0',
      perOrg: 50,
    });
    expect(() => loadConfig({ ...base, CUSTOM_METRIC_SERIES_PER_ORG: '0' }, () => {})).toThrow(/CUSTOM_METRIC_SERIES_PER_ORG/);
  });

  it('requires a secret of at least 16 characters with the webhook URL', () => {
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' }, () => {})).toThrow(/ALERT_WEBHOOK_SECRET is required/);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', ALERT_WEBHOOK_SECRET: 'short' }, () => {})).toThrow(/at least 16/);
    const config = loadConfig(
      { ...base, ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', ALERT_WEBHOOK_SECRET: 's'.repeat(16), METRIC_RETENTION_DAYS: '3' },
      () => {},
    );
    expect(config.monitoring).toMatchObject({ webhookUrl: 'http://127.0.0.1:9/hook', retentionDays: 3 });
  });

  it('never puts the webhook secret in its error messages', () => {
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: 'not a url', ALERT_WEBHOOK_SECRET: 'supersecret-value-123' }, () => {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('supersecret') }),
    );
  });
});
