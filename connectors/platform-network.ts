import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { classifyAddress, isIpLiteral } from '../security/public-address';

/** The `code` of the error a refused connection fails with; http-client.ts reports it without any network detail. */
export const PLATFORM_HOST_REFUSED = 'ERR_PLATFORM_HOST_REFUSED';

/** A resolver shaped like `dns.lookup` with `all: true`: every address the name has. */
export type AddressLookup = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * How connectors reach platforms. Some hosts come from credentials a user typed (Salesforce's instance_url, a
 * WooCommerce store_url, a Databricks host), so every connection is checked where it is made, on the address the
 * name resolved to: only public addresses over https, loopback (http or https) only under the development setting
 * ALLOW_LOOPBACK_PLATFORM_HOSTS. Checking the resolved address at connect time, not the name when it is saved,
 * is what stops a name that resolves (or later re-resolves) to 10.0.0.1 or 169.254.169.254, and the redirects
 * fetch follows go through the same check.
 */
export interface PlatformNetwork {
  readonly fetch: (url: URL, init: RequestInit) => Promise<Response>;
  /** The development setting: loopback hosts are allowed, for emulators. */
  readonly allowLoopback: boolean;
}

export interface PlatformNetworkOptions {
  allowLoopback?: boolean;
  /** The resolver; tests inject one to keep real DNS out. */
  lookup?: AddressLookup;
}

const systemLookup: AddressLookup = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

export function createPlatformNetwork(options: PlatformNetworkOptions = {}): PlatformNetwork {
  const allowLoopback = options.allowLoopback ?? false;
  const resolve = options.lookup ?? systemLookup;
  const allowed = (address: string) => {
    const kind = classifyAddress(address);
    return kind === 'public' || (kind === 'loopback' && allowLoopback);
  };

  // dns.lookup's signature, as net.connect calls it: every address must pass, so a name with one public and one
  // internal record cannot be steered to the internal one.
  function guardedLookup(hostname: string, lookupOptions: LookupOneOptions | LookupAllOptions, callback: (...args: unknown[]) => void): void {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err);
      const family = typeof lookupOptions.family === 'number' ? lookupOptions.family : 0;
      const usable = addresses.filter((a) => family === 0 || a.family === family);
      if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
      if (!usable.every((a) => allowed(a.address))) return callback(refused());
      if (lookupOptions.all) return callback(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  }

  const connectAny = buildConnector({ lookup: guardedLookup as never });
  const agent = new Agent({
    connect(connectOptions, callback) {
      const { hostname, protocol } = connectOptions;
      // An address in the URL is never looked up: it is checked here. Plain http only reaches loopback.
      const literal = isIpLiteral(hostname);
      if (literal && !allowed(hostname)) return callback(refused(), null);
      if (protocol !== 'https:' && !(allowLoopback && (literal ? classifyAddress(hostname) === 'loopback' : isLoopbackName(hostname))))
        return callback(refused(), null);
      connectAny(connectOptions, callback);
    },
  });
  return {
    allowLoopback,
    fetch: (url, init) => undiciFetch(url, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent }) as unknown as Promise<Response>,
  };
}

let publicNetwork: PlatformNetwork | undefined;

/** The production default, public https hosts only; one agent per process, so connections are pooled across connectors. */
export function publicPlatformNetwork(): PlatformNetwork {
  publicNetwork ??= createPlatformNetwork();
  return publicNetwork;
}

/**
 * For endpoints the operator configured, not a user (the OAuth token URLs of `<PLATFORM>_OAUTH_*`, which
 * openid-client also reaches on its own): no address rule, as for any other service the deployment is told to call.
 */
export const OPERATOR_CONFIGURED_ENDPOINTS: PlatformNetwork = { allowLoopback: true, fetch: (url, init) => fetch(url, init) };

/** `localhost` and its subdomains (RFC 6761 §6.3), which resolvers answer with loopback. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

function refused(): Error {
  // No address, port or reason: the answer must not tell what is there.
  return Object.assign(new Error('host refused'), { code: PLATFORM_HOST_REFUSED });
}
