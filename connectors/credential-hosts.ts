import type { PlatformId } from '../domain/platforms';
import { classifyAddress, isIpLiteral } from '../security/public-address';
import { isLoopbackName } from './platform-network';

/**
 * Credential fields that name the host a connector sends the account's secrets to, and the hosts each platform
 * documents for them. Checked when credentials are saved (the API answers 400 with the field) and again when a
 * connector is built; platform-network.ts checks the address each name resolves to when it connects.
 */
export interface CredentialHostRule {
  field: string;
  /** The documented host names (lower case, matched in full); null: any public host (a WooCommerce store). */
  hosts: readonly RegExp[] | null;
  /** How the hosts are described in messages. */
  described: string;
  /** The URL's path is kept: a WordPress site may live under one. */
  keepPath?: boolean;
  /** A bare host name (no scheme) means https: Databricks' workspace host. */
  bareHostIsHttps?: boolean;
}

const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** `*.suffix`: one or more DNS labels in front of the suffix. */
const under = (suffix: string) => new RegExp(`^(?:${label}\\.)+${suffix.replace(/\./g, '\\.')}$`);

export const CREDENTIAL_HOST_RULES: Partial<Record<PlatformId, readonly CredentialHostRule[]>> = {
  salesforce: [
    {
      field: 'instance_url',
      // My Domain (`*.my.salesforce.com`, with its sandbox., develop., scratch. … variants), legacy instances
      // (na1.salesforce.com), and the Lightning and site domains of force.com; Government Cloud Plus on salesforce.mil.
      hosts: [under('salesforce.com'), under('force.com'), under('cloudforce.com'), under('salesforce.mil')],
      described: '*.my.salesforce.com (or another *.salesforce.com, *.force.com, *.cloudforce.com or *.salesforce.mil host)',
    },
  ],
  zoho_crm: [
    {
      field: 'api_domain',
      // The data centres' API domains Zoho documents (US, EU, IN, AU, JP, CA, CN, SA, UK), and the sandbox's.
      hosts: [/^(?:www|sandbox)\.zohoapis\.(?:com|eu|in|com\.au|jp|ca|com\.cn|sa|uk)$/],
      described: "one of Zoho's API domains (www.zohoapis.com, .eu, .in, .com.au, .jp, .ca, .com.cn, .sa, .uk)",
    },
  ],
  databricks: [
    {
      field: 'host',
      // AWS, Azure and GCP workspaces, and the US government and China clouds.
      hosts: [
        under('cloud.databricks.com'),
        under('azuredatabricks.net'),
        under('gcp.databricks.com'),
        under('cloud.databricks.us'),
        under('databricks.azure.us'),
        under('databricks.azure.cn'),
      ],
      described:
        'a workspace host (*.cloud.databricks.com, *.azuredatabricks.net, *.gcp.databricks.com, *.cloud.databricks.us, *.databricks.azure.us, *.databricks.azure.cn)',
      bareHostIsHttps: true,
    },
  ],
  amazon_seller_central: [
    {
      field: 'lwa_token_url',
      // Login with Amazon's token endpoint for North America, Europe and the Far East.
      hosts: [/^api\.amazon\.(?:com|co\.uk|co\.jp)$/],
      described: 'api.amazon.com, api.amazon.co.uk or api.amazon.co.jp',
    },
  ],
  woocommerce: [{ field: 'store_url', hosts: null, described: 'the public https address of the store', keepPath: true }],
};

/** Names that never lead to the internet: single labels and special-use domains (RFC 6761, 6762, 8375). */
const NON_PUBLIC_NAME = /(?:^[^.]+$|\.(?:local|internal|intranet|lan|home\.arpa|localdomain)$)/;

export type CredentialHostCheck = { ok: true; url: URL } | { ok: false; message: string };

/** Whether `value` may be used as this rule's host: the documented host over https, or loopback under the development setting. */
export function checkCredentialHost(rule: CredentialHostRule, value: string, allowLoopback: boolean): CredentialHostCheck {
  const refuse = (): CredentialHostCheck => ({ ok: false, message: `${rule.field} must be an https URL of ${rule.described}` });
  const trimmed = value.trim();
  const text = rule.bareHostIsHttps && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? `https://${trimmed}` : trimmed;
  if (!URL.canParse(text)) return refuse();
  const url = new URL(text);
  if (url.username || url.password || (url.protocol !== 'https:' && url.protocol !== 'http:')) return refuse();
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const loopback = isIpLiteral(host) ? classifyAddress(host) === 'loopback' : isLoopbackName(host);
  // Emulators listen on this machine, over plain http, wherever the platform's own hosts would be.
  if (loopback) return allowLoopback ? { ok: true, url } : refuse();
  if (url.protocol !== 'https:') return refuse();
  if (isIpLiteral(host)) return rule.hosts === null && classifyAddress(host) === 'public' ? { ok: true, url } : refuse();
  if (NON_PUBLIC_NAME.test(host)) return refuse();
  if (rule.hosts !== null && !rule.hosts.some((pattern) => pattern.test(host))) return refuse();
  return { ok: true, url };
}

/** The credential host problems of `credentials`, one per field present and refused, for a 400 answer. */
export function credentialHostIssues(
  platform: PlatformId,
  credentials: Readonly<Record<string, string>>,
  allowLoopback: boolean,
): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  for (const rule of CREDENTIAL_HOST_RULES[platform] ?? []) {
    const value = credentials[rule.field];
    if (!value) continue;
    const check = checkCredentialHost(rule, value, allowLoopback);
    if (!check.ok) issues.push({ field: rule.field, message: check.message });
  }
  return issues;
}

/** The rule for one platform's field; credential-host-client.ts and the LWA token client look theirs up here. */
export function credentialHostRule(platform: PlatformId, field: string): CredentialHostRule {
  const rule = CREDENTIAL_HOST_RULES[platform]?.find((r) => r.field === field);
  if (!rule) throw new Error(`No credential host rule for ${platform}.${field}`);
  return rule;
}
