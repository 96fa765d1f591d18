/**
 * `host:port` on the command line to a host and a port.
 */
import { UsageError } from "../cli/args.ts";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 7777;

/**
 * Accepts `host:port`, `[ipv6]:port`, `host` (default port), `:port`
 * (default host) and a bare IPv6 address.
 * @throws UsageError for an empty host or a port outside 1..65535
 * @example
 * parseAddress("localhost:7000"); // { host: "localhost", port: 7000 }
 */
export function parseAddress(text: string): { host: string; port: number } {
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (text.indexOf(":") === text.lastIndexOf(":") && text.includes(":")) {
    const at = text.lastIndexOf(":");
    host = text.slice(0, at) || DEFAULT_HOST;
    portText = text.slice(at + 1);
  } // else: no colon (a host), or several (a bare IPv6 address)
  if (host.length === 0) throw new UsageError(`connect: no host in "${text}"`);
  if (portText === undefined) return { host, port: DEFAULT_PORT };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new UsageError(`connect: bad port "${portText}" in "${text}" (1 to 65535)`);
  }
  return { host, port };
}
