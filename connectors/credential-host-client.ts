import type { ConnectorConfig } from './connector';
import { ConnectorError } from './connector-error';
import { createJsonHttpClient, type JsonHttpClient, type PlatformErrorClassifier } from './http-client';

/**
 * A JSON client for platforms whose OAuth token response names the host serving the account (Salesforce's
 * `instance_url`, Zoho's `api_domain`): that credential's origin when present, the configured base URL
 * otherwise. The access token travels to that host, so it must be https, or plain http to this machine
 * (emulators); any other value fails every request as `auth`, which asks the user to reconnect.
 *
 * Shared by the Salesforce and Zoho CRM connectors; it belongs beside http-client.ts in connectors/.
 */
export function createCredentialHostClient(
  config: ConnectorConfig,
  hostField: string,
  options: { platform: string; classifyError: PlatformErrorClassifier; /** Keep the URL's path: a site may live under one (WooCommerce's store_url). */ keepPath?: boolean },
): JsonHttpClient {
  const named = config.credentials[hostField];
  const url = named && URL.canParse(named) ? new URL(named) : null;
  const loopback = url !== null && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const usable = url !== null && (url.protocol === 'https:' || (url.protocol === 'http:' && loopback));
  const http = createJsonHttpClient({
    platform: options.platform,
    baseUrl: usable ? (options.keepPath ? url.origin + url.pathname : url.origin) : config.baseUrl,
    timeoutMs: config.timeoutMs,
    secrets: Object.values(config.credentials),
    classifyError: options.classifyError,
  });
  if (!named || usable) return http;
  return {
    send: async () => {
      throw new ConnectorError('auth', `${options.platform} ${hostField} is not an https URL; reconnect the account`);
    },
  };
}
