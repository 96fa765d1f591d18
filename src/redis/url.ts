/**
 * Where a Redis server is: `redis://[[user]:password@]host[:port][/db]` or
 * `unix:///path/to/redis.sock[?db=N]` (also `redis+unix://`, `?password=`).
 */
import { formatAddress } from "../net/index.ts";

export interface RedisAddress {
  /** TCP host (default 127.0.0.1); absent for a unix socket. */
  host?: string;
  /** TCP port (default 6379). */
  port?: number;
  /** Unix socket path. */
  path?: string;
  /** Database number chosen with SELECT after connecting (default 0). */
  db: number;
  username?: string;
  password?: string;
}

const DEFAULT_PORT = 6379;

/**
 * Parse a Redis URL.
 * @throws RangeError naming what is wrong (unknown scheme, bad port or db).
 * @example
 * parseRedisUrl("redis://127.0.0.1:6380/2"); // { host: "127.0.0.1", port: 6380, db: 2 }
 */
export function parseRedisUrl(text: string): RedisAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`not a Redis URL: ${JSON.stringify(text)} (expected redis://HOST:PORT[/DB] or unix:///path.sock)`);
  }
  const username = decodeURIComponent(url.username) || undefined;
  const password = decodeURIComponent(url.password) || url.searchParams.get("password") || undefined;
  const credentials = { ...(username && { username }), ...(password && { password }) };
  switch (url.protocol) {
    case "redis:": {
      const host = url.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
      const port = url.port === "" ? DEFAULT_PORT : Number(url.port);
      const dbText = url.pathname.replace(/^\//, "");
      return { host, port, db: parseDb(dbText === "" ? url.searchParams.get("db") : dbText, text), ...credentials };
    }
    case "unix:":
    case "redis+unix:": {
      if (url.pathname === "" || url.pathname === "/") throw new RangeError(`no socket path in ${JSON.stringify(text)}`);
      return { path: decodeURIComponent(url.pathname), db: parseDb(url.searchParams.get("db"), text), ...credentials };
    }
    case "rediss:":
      throw new RangeError(`TLS to Redis (rediss://) is not supported: ${JSON.stringify(text)}`);
    default:
      throw new RangeError(`unknown Redis URL scheme ${url.protocol} in ${JSON.stringify(text)} (expected redis:// or unix://)`);
  }
}

/** `host:port` or the socket path, for messages. */
export function describeAddress(address: RedisAddress): string {
  if (address.path !== undefined) return `unix:${address.path}`;
  return formatAddress(address.host ?? "127.0.0.1", address.port ?? DEFAULT_PORT);
}

function parseDb(text: string | null, url: string): number {
  if (text === null || text === "") return 0;
  if (!/^\d+$/.test(text)) throw new RangeError(`bad database number ${JSON.stringify(text)} in ${JSON.stringify(url)}`);
  return Number(text);
}
