/**
 * `host:port` arguments: `127.0.0.1:7777`, `[::1]:7777`, `localhost`, `:7777`.
 */
import { UsageError } from "./args.ts";

export function parseHostPort(text: string, defaultPort: number, defaultHost = "127.0.0.1"): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(text);
  const [host, portText] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : text.includes(":") && text.indexOf(":") === text.lastIndexOf(":")
      ? (text.split(":") as [string, string])
      : [text, undefined];
  const port = portText === undefined || portText === "" ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`bad port in "${text}"`);
  return { host: host === "" ? defaultHost : host, port };
}
