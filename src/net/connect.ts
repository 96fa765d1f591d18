/**
 * Opening a connection from a coroutine: `yield* connect({ host, port })`
 * over TCP (with `tls`, TLS), or `yield* connect({ path })` over a unix
 * domain socket.
 */
import { isIP, Socket as NodeSocket } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { getRunningLoop, timeout, TimeoutError, type Coro } from "../loop/index.ts";
import { ConnectTimeoutError } from "./errors.ts";
import { EVENT_WRITE, Selector } from "./selector.ts";
import { Socket } from "./socket.ts";
import { TLS_HANDSHAKE_TIMEOUT_MS, type TlsClientOptions } from "./tls.ts";

export interface ConnectOptions {
  host?: string;
  /** The TCP port; ignored when `path` is given. */
  port?: number;
  /** A unix domain socket to connect to instead of TCP (its errors carry the path as `host`). */
  path?: string;
  /**
   * Give up after this many ms with ConnectTimeoutError (the TLS handshake
   * included); default: no limit but the OS's (and TLS_HANDSHAKE_TIMEOUT_MS
   * for the handshake).
   */
  timeoutMs?: number;
  /** Speak TLS; `connect` returns once the handshake is done and the certificate checked. */
  tls?: TlsClientOptions;
}

/**
 * Connect to `host:port` (default host 127.0.0.1; IPv6 as `::1`), plain
 * TCP or, with `tls`, TLS; or to the unix socket `path`.
 * @throws ConnectionRefusedError, ConnectTimeoutError, or another NetError, each carrying the address;
 *   with TLS, TlsHandshakeError, or CertificateError when the server's certificate is refused.
 * @example
 * const sock = yield* connect({ host: "127.0.0.1", port: 7007, timeoutMs: 1000 });
 * yield* sock.sendAll("ping\n");
 * @example
 * const sock = yield* connect({ host: "localhost", port: 6697, tls: { ca } });
 */
export function* connect(options: ConnectOptions): Coro<Socket> {
  const { path } = options;
  const host = path ?? options.host ?? "127.0.0.1";
  const port = path === undefined ? (options.port ?? 0) : undefined;
  const selector = Selector.of(getRunningLoop());
  // allowHalfOpen: when the peer half-closes, closing our side is our decision, not Node's.
  let node: NodeSocket;
  let socket: Socket;
  if (options.tls === undefined) {
    node = new NodeSocket({ allowHalfOpen: true });
    socket = new Socket(node, selector, { host, port }); // Registered (error listener on) before anything can fail.
    if (path !== undefined) node.connect({ path });
    else node.connect({ host, port: port! });
  } else {
    const { ca, servername, rejectUnauthorized } = options.tls;
    const where = path !== undefined ? { path } : { host, port };
    // Why the cast: tls.connect passes allowHalfOpen on to the socket, but @types/node omits it.
    const tlsOptions = { ...where, ca, rejectUnauthorized, allowHalfOpen: true, servername: servername ?? (isIP(host) === 0 && path === undefined ? host : undefined) };
    const secure = tlsConnect(tlsOptions as ConnectionOptions);
    node = secure;
    socket = new Socket(secure, selector, { host, port }, "client");
  }
  if (path === undefined) node.setNoDelay(true);
  const key = selector.getKey(node)!;
  function* connected(): Coro<void> {
    while (node.connecting && key.error === null && !key.closed) yield* selector.wait(key, EVENT_WRITE);
    if (key.error === null) yield* socket.handshake(options.timeoutMs === undefined ? TLS_HANDSHAKE_TIMEOUT_MS : undefined);
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
