import type { ConnectorConfig } from './connector';
import { ConnectorError } from './connector-error';
import { checkCredentialHost, type CredentialHostRule } from './credential-hosts';
import { createJsonHttpClient, type JsonHttpClient, type PlatformErrorClassifier } from './http-client';

/**
 * A JSON client for platforms whose credentials name the host serving the account (Salesforce's `instance_url`,
 * Zoho's `api_domain`, a Databricks workspace, a WooCommerce store): that credential's URL when present, the
 * configured base URL otherwise. The secrets travel to that host, so it must be one the rule allows
 * (credential-hosts.ts); any other value fails every request as `auth`, which asks the user to reconnect.
 * The API refuses such values when they are saved; this is the same check where they are used.
 */
export function createCredentialHostClient(
  config: ConnectorConfig,
  rule: CredentialHostRule,
  options: { platform: string; classifyError: PlatformErrorClassifier },
): JsonHttpClient {
  const named = config.credentials[rule.field];
  const check = named ? checkCredentialHost(rule, named, config.network?.allowLoopback ?? false) : null;
  if (check && !check.ok) {
    return {
      send: async () => {
        throw new ConnectorError('auth', `${options.platform} ${check.message}; reconnect the account`);
      },
    };
  }
  const url = check?.url;
  return createJsonHttpClient({
    platform: options.platform,
    baseUrl: url ? (rule.keepPath ? url.origin + url.pathname : url.origin) : config.baseUrl,
    timeoutMs: config.timeoutMs,
    secrets: Object.values(config.credentials),
    classifyError: options.classifyError,
    network: config.network,
  });
}
