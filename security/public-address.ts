import ipaddr from 'ipaddr.js';

/**
 * Where an IP address leads, for requests to hosts a user chose: `public` is the internet, `loopback` this
 * machine, `internal` everything else a deployment's network may hold (private, link-local, CGNAT, unique-local,
 * multicast, reserved, translated ranges, cloud metadata services). Unparseable input is `internal`: refused.
 */
export type AddressClass = 'public' | 'loopback' | 'internal';

/** Metadata and agent endpoints that sit inside otherwise public unicast space (Azure's WireServer). */
const CLOUD_AGENT_ADDRESSES = [ipaddr.parseCIDR('168.63.129.16/32')];
/** Globally routed IPv6 unicast is 2000::/3 (RFC 4291 §2.4); the rest is unassigned or special (IPv4-compatible ::/96 among them). */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export function classifyAddress(address: string): AddressClass {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Only canonical forms: DNS answers are, and the URL parser normalises host literals (127.1, 0x7f000001) before us.
  if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !ipaddr.IPv6.isValid(bare)) return 'internal';
  let ip: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(bare);
  // ::ffff:10.0.0.1 reaches 10.0.0.1.
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress()) ip = ip.toIPv4Address();
  const range = ip.range();
  if (range === 'loopback') return 'loopback';
  if (range !== 'unicast') return 'internal';
  if (ip instanceof ipaddr.IPv4) return CLOUD_AGENT_ADDRESSES.some((cidr) => ip.match(cidr)) ? 'internal' : 'public';
  return ip.match(GLOBAL_UNICAST_V6) ? 'public' : 'internal';
}

/** Whether `host` (a URL's hostname, IPv6 in brackets or not) is an IP address rather than a name. */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || ipaddr.IPv6.isValid(bare);
}
