/**
 * ChatServer: the ChatHub behind a StreamServer. It admits clients (up to
 * the maximum), runs one task per client (see client.ts), logs connects,
 * disconnects and errors, and shuts down cleanly.
 */
import { ChatHub, serverFull } from "../chat/hub.ts";
import { CancelledError, timeout, TimeoutError, type Coro } from "../../loop/index.ts";
import {
  AddressInUseError,
  formatAddress,
  NetError,
  startServer,
  type StreamReader,
  type StreamServer,
  type StreamWriter,
} from "../../net/index.ts";
import { ChatClient, READ_LIMIT } from "./client.ts";
import type { ChatServerOptions } from "./options.ts";
import { INTERACTIVE_PRIORITY } from "./priorities.ts";

/**
 * How long shutdown waits for clients to take their last lines before
 * dropping the rest. Why 1 s: the protocol promises exit within 2 s, and
 * the process still has to stop after it.
 */
export const SHUTDOWN_GRACE_MS = 1000;

export class ChatServer {
  readonly hub = new ChatHub();
  readonly options: ChatServerOptions;
  readonly #clients = new Set<ChatClient>();
  #server: StreamServer | null = null;
  #nextId = 0;

  private constructor(options: ChatServerOptions) {
    this.options = options;
  }

  /**
   * Listen and serve.
   * @throws AddressInUseError (one clear sentence) or another NetError.
   * @example
   * const server = yield* ChatServer.start({ ...options, port: 0 });
   * console.log(server.port);
   */
  static *start(options: ChatServerOptions): Coro<ChatServer> {
    const chat = new ChatServer(options);
    try {
      chat.#server = yield* startServer((reader, writer) => chat.#serve(reader, writer), {
        host: options.host,
        port: options.port,
        limit: READ_LIMIT,
        clientPriority: options.priorities ? INTERACTIVE_PRIORITY : 0,
      });
    } catch (error) {
      if (error instanceof AddressInUseError) {
        const where = formatAddress(options.host, options.port);
        throw new AddressInUseError(`cannot listen on ${where}: address already in use`, error.code, error, { cause: error });
      }
      throw error;
    }
    return chat;
  }

  /** The port actually bound. */
  get port(): number {
    return this.#server!.port;
  }

  /** Clients connected and admitted. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /**
   * Stop accepting (the port is released), tell everyone the server is
   * shutting down, let them have what is queued for up to `graceMs`, then
   * drop whoever is left.
   */
  *shutdown(graceMs = SHUTDOWN_GRACE_MS): Coro<void> {
    const server = this.#server!;
    server.close();
    this.hub.shutdown(); // "* server shutting down" to everyone, then each client's close().
    try {
      yield* timeout(graceMs, server.waitClosed());
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      for (const client of this.#clients) client.end("reset");
      server.closeClients();
      yield* server.waitClosed();
    }
  }

  /** One client's task (startServer's handler; it closes the writer afterwards). */
  *#serve(reader: StreamReader, writer: StreamWriter): Coro<void> {
    const { log } = this.options;
    const { host, port } = writer.socket.remote;
    const peer = host === undefined ? "?" : formatAddress(host, port);
    if (this.#clients.size >= this.options.maxClients) {
      writer.write(`${serverFull()}\n`);
      writer.close();
      log(`refused ${peer}: server full`);
      return;
    }
    const client = new ChatClient(++this.#nextId, peer, this.hub, writer, this.options);
    this.#clients.add(client);
    let reason = "eof";
    let cancelled = false;
    try {
      this.hub.join(client);
      client.flushNow();
      log(`connect ${client.nick} from ${peer}`);
      yield* client.readLines(reader);
    } catch (error) {
      if (error instanceof CancelledError) {
        cancelled = true; // The end of a shutdown's grace period.
        throw error;
      }
      if (!(error instanceof NetError)) throw error;
      reason = error.code === "ECONNRESET" ? "reset" : error.code;
      log(`error ${client.nick || peer} from ${peer}: ${error.message}`);
      client.end("reset");
    } finally {
      this.hub.leave(client); // Once: a no-op after /quit, a slow-reader drop or shutdown.
      client.end(cancelled ? "reset" : reason);
      log(`disconnect ${client.nick || peer} from ${peer} (${client.ended})`);
      // The close itself is graceful and bounded (src/net/graceful-close.ts);
      // startServer waits for it before the task ends.
      this.#clients.delete(client);
    }
  }
}
