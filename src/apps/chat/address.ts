/**
 * Which connections come from "the same address", for per-address limits
 * and address bans: an IPv4 address alone, an IPv6 address by its /64 (one
 * customer's network: a host gets a whole /64 and can pick any address in
 * it), and an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as its IPv4.
 */
import { isIPv4, isIPv6 } from "node:net";

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * The group key of a remote address: what limits count and bans match.
 * Anything that is not an IP address (a unix socket path, `undefined`) is
 * its own group.
 *
 * @example
 * addressGroup("127.0.0.1");              // "127.0.0.1"
 * addressGroup("::ffff:127.0.0.1");       // "127.0.0.1"
 * addressGroup("2001:db8:0:1:aa::5");     // "2001:db8:0:1::/64"
 * addressGroup("2001:DB8::1%eth0");       // "2001:db8:0:0::/64"
 */
export function addressGroup(host: string | undefined): string {
  if (host === undefined) return "?";
  const mapped = MAPPED_V4.exec(host);
  if (mapped) return mapped[1]!;
  if (isIPv4(host)) return host;
  const bare = host.split("%", 1)[0]!; // Without its zone (fe80::1%eth0).
  if (!isIPv6(bare)) return host;
  return `${expandIPv6(bare).slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of an IPv6 address, lower case without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split("::") as [string, string | undefined];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  // Why: an embedded IPv4 tail (::1.2.3.4) counts two hextets; only the first four matter here.
  const width = right.some((part) => part.includes(".")) || left.some((part) => part.includes(".")) ? 7 : 8;
  const zeros = tail === undefined ? [] : Array.from({ length: width - left.length - right.length }, () => "0");
  return [...left, ...zeros, ...right].map((part) => (part.includes(".") ? part : parseInt(part, 16).toString(16)));
}

/**
 * Whether `text` names an address group an operator can ban: an IP address
 * (IPv6 ones are banned by their /64) or a group as {@link addressGroup}
 * writes it.
 */
export function parseAddress(text: string): string | undefined {
  if (isIPv4(text) || isIPv6(text.split("%", 1)[0]!) || MAPPED_V4.test(text)) return addressGroup(text);
  const group = /^(.*)::\/64$/.exec(text);
  if (group && isIPv6(`${group[1]}::`)) return addressGroup(`${group[1]}::`);
  return undefined;
}
