/**
 * A listening TCP server driven by coroutines: `yield* server.accept()`.
 * Node's `'connection'` only queues the socket and marks the server ready.
 */
import { once } from "node:events";
import { createServer, type Server as NodeServer, type Socket as NodeSocket } from "node:net";
import { fromPromise, getRunningLoop, type Coro } from "../loop/index.ts";
import { ClosedError, toNetError, TooManyOpenFilesError } from "./errors.ts";
import { EVENT_READ, Selector, type SelectorKey } from "./selector.ts";
import { Socket, WRITE_HIGH_WATER } from "./socket.ts";
import { TlsServerContext, type TlsServerOptions } from "./tls.ts";

export interface ListenOptions {
  /** Default 127.0.0.1. Use `::1` for IPv6 loopback, `0.0.0.0` / `::` for all interfaces. */
  host?: string;
  /** Default 0: the OS picks a free port (read it back from `server.port`). */
  port?: number;
  /** Pending connections the OS queues before accept (default 511). */
  backlog?: number;
  /** Serve TLS (implicit: the handshake starts at once) with this certificate and key. */
  tls?: TlsServerOptions;
  /**
   * In a node:cluster worker, bind a port of its own rather than share the
   * primary's (Node's `exclusive`); no effect elsewhere. Default false.
   */
  exclusive?: boolean;
}

/**
 * A listening TCP socket: `accept()` waits for the next connection and
 * returns it as a Socket; `close()` releases the port and wakes a pending
 * `accept()` with ClosedError (connections already accepted go on).
 * @example
 * const server = yield* listen({ port: 0 });
 * const socket = yield* server.accept();
 */
export class Server {
  readonly #node: NodeServer;
  readonly #selector: Selector;
  readonly #key: SelectorKey;
  readonly #tls: TlsServerContext | null;
  #closed = false;

  /** @internal use `listen` */
  constructor(node: NodeServer, selector: Selector, tls: TlsServerContext | null = null) {
    this.#node = node;
    this.#selector = selector;
    this.#tls = tls;
    this.#key = selector.register(node);
  }

  /** The TLS handshake's bound for each connection, or undefined for plain TCP. */
  get handshakeTimeoutMs(): number | undefined {
    return this.#tls?.handshakeTimeoutMs;
  }

  /** The address actually bound (the port is the real one when 0 was asked). */
  get address(): { host: string; port: number; family: string } {
    const a = this.#node.address();
    if (a === null || typeof a === "string") throw new ClosedError("server is not listening", "ERR_SERVER_NOT_RUNNING");
    return { host: a.address, port: a.port, family: a.family };
  }

  get port(): number {
    return this.address.port;
  }

  /** Connections accepted by the OS but not yet taken by `accept()`. */
  get pending(): number {
    return this.#key.incoming.length;
  }

  /**
   * The next incoming connection, waiting for one if needed. Accepted
   * sockets have Nagle off (`noDelay`) and half-open allowed. On a TLS
   * server the socket is already wrapped, its handshake under way: call
   * `yield* socket.handshake(server.handshakeTimeoutMs)` to wait for it.
   * @throws ClosedError once the server is closed.
   * @throws TooManyOpenFilesError when a connection could not be accepted
   *   for want of file descriptors (it was closed at once); the server goes
   *   on, and the next `accept()` waits for the next connection.
   */
  *accept(): Coro<Socket> {
    for (;;) {
      const node = this.#key.incoming.shift();
      if (node !== undefined) return this.#wrap(node);
      if (this.#closed || this.#key.closed) throw new ClosedError("server closed", "ERR_SERVER_NOT_RUNNING");
      const error = this.#key.error;
      if (error !== null) {
        // Why forget it: an accept error concerns one connection, not the listener.
        if (error instanceof TooManyOpenFilesError) this.#key.error = null;
        throw error;
      }
      yield* this.#selector.wait(this.#key, EVENT_READ);
    }
  }

  #wrap(raw: NodeSocket): Socket {
    if (this.#tls === null) return new Socket(raw, this.#selector);
    // Why keep the raw address: the TLSSocket reports it only once it is connected.
    const remote = { host: raw.remoteAddress, port: raw.remotePort };
    const secure = this.#tls.wrap(raw);
    return new Socket(secure, this.#selector, remote, "server");
  }

  /** Stop listening (the port is released); connections already accepted go on. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const node of this.#key.incoming.splice(0)) node.destroy();
    this.#node.close();
    this.#selector.notify(this.#key, EVENT_READ); // Wake a pending accept() to see the closure.
  }

  isClosed(): boolean {
    return this.#closed;
  }
}

/**
 * Listen on `host:port` (default 127.0.0.1, a free port), plain TCP or,
 * with `tls: { cert, key }`, TLS.
 * @throws AddressInUseError (carrying the address) or another NetError;
 *   Node's error when the TLS certificate or key can't be loaded.
 * @example
 * const server = yield* listen({ port: 0 });
 * const client = yield* server.accept();
 * @example
 * const server = yield* listen({ port: 6697, tls: { cert, key } });
 * const client = yield* server.accept();
 * yield* client.handshake(server.handshakeTimeoutMs);
 */
export function* listen(options: ListenOptions = {}): Coro<Server> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  const selector = Selector.of(getRunningLoop());
  const tls = options.tls === undefined ? null : new TlsServerContext(options.tls); // Bad PEM: throws here.
  const node = createServer({ allowHalfOpen: true, noDelay: true, highWaterMark: WRITE_HIGH_WATER });
  const server = new Server(node, selector, tls); // Registered (error listener on) before listen can fail.
  const listening = once(node, "listening");
  node.listen({ host, port, backlog: options.backlog, exclusive: options.exclusive });
  try {
    yield* fromPromise(listening);
  } catch (error) {
    node.close();
    throw toNetError(error as Error, { host, port });
  }
  return server;
}
