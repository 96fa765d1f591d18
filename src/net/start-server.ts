/**
 * `startServer(handler, options)`: asyncio's `start_server`. One accept task
 * (more urgent than the clients, so newcomers get in under load) and one
 * task per client running `handler(reader, writer)`. An error in one handler
 * is reported and closes that client only. When the handler returns (or is
 * cancelled) the connection is closed gracefully (see graceful-close.ts) and
 * its task ends once it is closed.
 */
import { CancelledError, getRunningLoop, wait, type Coro, type Task } from "../loop/index.ts";
import { ClosedError, formatAddress, TlsHandshakeError, TooManyOpenFilesError } from "./errors.ts";
import { listen, type ListenOptions, type Server } from "./server.ts";
import type { Socket } from "./socket.ts";
import { streamsOf, type StreamReader, type StreamReaderOptions, type StreamWriter } from "./streams.ts";

/** The accept task runs before client tasks that are ready at the same time. */
export const ACCEPT_PRIORITY = -10;

export type ConnectionHandler = (reader: StreamReader, writer: StreamWriter) => Coro<void>;

export interface StartServerOptions extends ListenOptions, StreamReaderOptions {
  /** Priority of each client's task (default 0). */
  clientPriority?: number;
  /**
   * Told of each connection that could not be accepted for want of file
   * descriptors, or whose TLS handshake failed (the server goes on; the
   * handler never sees it); default: the loop's exception handler.
   */
  onAcceptError?: (error: TooManyOpenFilesError | TlsHandshakeError) => void;
}

/**
 * What `startServer` returns: the listening Server, its accept task and one
 * task per client. `close()` stops accepting; `closeClients()` cancels the
 * clients; `waitClosed()` waits until all of it is done.
 * @example
 * const server = yield* startServer(echoLines, { port: 0 });
 * server.close();
 * yield* server.waitClosed();
 */
export class StreamServer {
  readonly server: Server;
  readonly #acceptTask: Task<void>;
  readonly #clients = new Set<Task<void>>();

  /** @internal use `startServer` */
  constructor(server: Server, handler: ConnectionHandler, options: StartServerOptions) {
    this.server = server;
    const loop = getRunningLoop();
    const reportAcceptError = (error: TooManyOpenFilesError | TlsHandshakeError): void => {
      if (options.onAcceptError) options.onAcceptError(error);
      else loop.callExceptionHandler({ message: "a connection could not be accepted", exception: error });
    };
    const serveClient = function* (socket: Socket): Coro<void> {
      const [reader, writer] = streamsOf(socket, options);
      try {
        try {
          yield* socket.handshake(server.handshakeTimeoutMs); // At once for plain TCP.
        } catch (error) {
          if (!(error instanceof TlsHandshakeError)) throw error;
          reportAcceptError(error);
          writer.abort(); // Nothing was said on it: nothing to close gracefully.
          return;
        }
        yield* handler(reader, writer);
      } catch (error) {
        if (!(error instanceof CancelledError)) {
          loop.callExceptionHandler({ message: `error in the connection handler for ${formatPeer(socket)}`, exception: error });
        }
      } finally {
        writer.close();
        // Why wait: the task ends when its connection has, so waitClosed()
        // means every peer got its last bytes. Bounded by CLOSE_DRAIN_MS.
        yield* writer.waitClosed();
      }
    };
    const clients = this.#clients;
    this.#acceptTask = loop.createTask(
      (function* acceptClients() {
        for (;;) {
          let socket: Socket;
          try {
            socket = yield* server.accept();
          } catch (error) {
            if (error instanceof ClosedError) return;
            if (!(error instanceof TooManyOpenFilesError)) throw error;
            reportAcceptError(error);
            continue;
          }
          // Eager: the handler's first step (often a greeting) runs in this iteration.
          const task = loop.createTask(serveClient(socket), {
            priority: options.clientPriority ?? 0,
            name: `client ${formatPeer(socket)}`,
            eager: true,
          });
          clients.add(task);
          task.addDoneCallback(() => clients.delete(task));
        }
      })(),
      { name: "accept", priority: ACCEPT_PRIORITY },
    );
  }

  get port(): number {
    return this.server.port;
  }

  /** Client tasks still running. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Stop accepting and release the port; connected clients go on. */
  close(): void {
    this.server.close();
  }

  /** Cancel every client's task (their `finally` blocks close the sockets). */
  closeClients(): void {
    for (const task of this.#clients) task.cancel();
  }

  /** Wait until the accept task and every client task are done (clients accepted meanwhile included). */
  *waitClosed(): Coro<void> {
    yield* this.#acceptTask;
    // Why filter on done(): a finished task leaves the set only when its done callback runs.
    for (let left = this.#running(); left.length > 0; left = this.#running()) yield* wait(left);
  }

  #running(): Task<void>[] {
    return [...this.#clients].filter((task) => !task.done());
  }
}

function formatPeer(socket: Socket): string {
  const { host, port } = socket.remote;
  return host === undefined ? "?" : formatAddress(host, port);
}

/**
 * Listen and serve each client with `handler` in its own task; with
 * `tls: { cert, key }`, over TLS, the handler running once the handshake is
 * done (a failed one goes to `onAcceptError`).
 * @example
 * const server = yield* startServer(function* (reader, writer) {
 *   for (let line; (line = yield* reader.readline()).length > 0; ) {
 *     writer.write(line);
 *     yield* writer.drain();
 *   }
 * }, { port: 7007 });
 */
export function* startServer(handler: ConnectionHandler, options: StartServerOptions = {}): Coro<StreamServer> {
  const server = yield* listen(options);
  return new StreamServer(server, handler, options);
}
