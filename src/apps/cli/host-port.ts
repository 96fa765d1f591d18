/**
 * `host:port` on the command line to a host and a port.
 */
import { decimalInteger, environmentValue, hostOption, UsageError } from "./args.ts";

export interface HostPortDefaults {
  /** The subcommand, for error messages. */
  command: string;
  host?: string;
  port: number;
}

/**
 * Accepts `host:port`, `[ipv6]:port`, `host` (default port), `:port`
 * (default host), a bare IPv6 address, and "" (both defaults). The
 * defaults are `BOUCLE_HOST` and `BOUCLE_PORT` when set and not empty (the
 * chat server reads the same two), else `defaults`.
 * @throws UsageError for an empty host, or a port (given or from BOUCLE_PORT) that is not a decimal from 1 to 65535
 * @example
 * parseHostPort("localhost:7000", { command: "connect", port: 7777 }); // { host: "localhost", port: 7000 }
 */
export function parseHostPort(text: string, defaults: HostPortDefaults, env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  const defaultHost = hostOption(undefined, defaults.host ?? "127.0.0.1", env);
  const defaultPort = (): number => {
    const fromEnv = environmentValue(env, "BOUCLE_PORT");
    return fromEnv === undefined ? defaults.port : decimalInteger(`${defaults.command}: BOUCLE_PORT`, fromEnv, 1, 65_535);
  };
  if (text === "") return { host: defaultHost, port: defaultPort() };
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
  if (portText === undefined) return { host, port: defaultPort() };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new UsageError(`${defaults.command}: bad port "${portText}" in "${text}" (a decimal from 1 to 65535)`);
  }
  return { host, port };
}
