/**
 * Opening a connection from a coroutine: `yield* connect({ host, port })`
 * over TCP, or `yield* connect({ path })` over a unix domain socket.
 */
import { Socket as NodeSocket } from "node:net";
import { getRunningLoop, timeout, TimeoutError, type Coro } from "../loop/index.ts";
import { ConnectTimeoutError } from "./errors.ts";
import { EVENT_WRITE, Selector } from "./selector.ts";
import { Socket } from "./socket.ts";

export interface ConnectOptions {
  host?: string;
  /** The TCP port; ignored when `path` is given. */
  port?: number;
  /** A unix domain socket to connect to instead of TCP (its errors carry the path as `host`). */
  path?: string;
  /** Give up after this many ms with ConnectTimeoutError; default: no limit but the OS's. */
  timeoutMs?: number;
}

/**
 * Connect to `host:port` (default host 127.0.0.1; IPv6 as `::1`), or to the
 * unix socket `path`.
 * @throws ConnectionRefusedError, ConnectTimeoutError, or another NetError, each carrying the address.
 * @example
 * const sock = yield* connect({ host: "127.0.0.1", port: 7007, timeoutMs: 1000 });
 * yield* sock.sendAll("ping\n");
 */
export function* connect(options: ConnectOptions): Coro<Socket> {
  const { path } = options;
  const host = path ?? options.host ?? "127.0.0.1";
  const port = path === undefined ? (options.port ?? 0) : undefined;
  const selector = Selector.of(getRunningLoop());
  // allowHalfOpen: when the peer half-closes, closing our side is our decision, not Node's.
  const node = new NodeSocket({ allowHalfOpen: true });
  const socket = new Socket(node, selector, { host, port }); // Registered (error listener on) before anything can fail.
  if (path !== undefined) {
    node.connect({ path });
  } else {
    node.connect({ host, port: port! });
    node.setNoDelay(true);
  }
  const key = selector.getKey(node)!;
  function* connected(): Coro<void> {
    while (node.connecting && key.error === null && !key.closed) yield* selector.wait(key, EVENT_WRITE);
  }
  try {
    yield* options.timeoutMs === undefined ? connected() : timeout(options.timeoutMs, connected());
  } catch (error) {
    node.destroy();
    if (error instanceof TimeoutError) throw new ConnectTimeoutError(host, port, options.timeoutMs!);
    throw error;
  }
  if (key.error !== null) {
    node.destroy();
    throw key.error; // Already typed, with { host, port } (the socket gave its key the address).
  }
  return socket;
}
