/**
 * `host:port` on the command line to a host and a port.
 */
import { UsageError } from "./args.ts";

export interface HostPortDefaults {
  /** The subcommand, for error messages. */
  command: string;
  host?: string;
  port: number;
}

/**
 * Accepts `host:port`, `[ipv6]:port`, `host` (default port), `:port`
 * (default host), a bare IPv6 address, and "" (both defaults).
 * @throws UsageError for an empty host or a port outside 1..65535
 * @example
 * parseHostPort("localhost:7000", { command: "connect", port: 7777 }); // { host: "localhost", port: 7000 }
 */
export function parseHostPort(text: string, defaults: HostPortDefaults): { host: string; port: number } {
  const defaultHost = defaults.host ?? "127.0.0.1";
  if (text === "") return { host: defaultHost, port: defaults.port };
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if (text.indexOf(":") === text.lastIndexOf(":") && text.includes(":")) {
    const at = text.lastIndexOf(":");
    host = text.slice(0, at) || defaultHost;
    portText = text.slice(at + 1);
  } // else: no colon (a host), or several (a bare IPv6 address)
  if (host.length === 0) throw new UsageError(`${defaults.command}: no host in "${text}"`);
  if (portText === undefined) return { host, port: defaults.port };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new UsageError(`${defaults.command}: bad port "${portText}" in "${text}" (1 to 65535)`);
  }
  return { host, port };
}
