/**
 * ChatServer: the ChatHub behind a StreamServer. It admits clients (up to
 * the maximum), runs one task per client (see client.ts), logs connects,
 * disconnects and errors, and shuts down cleanly.
 */
import { addressGroup } from "../chat/address.ts";
import { ChatHub, serverFull } from "../chat/hub.ts";
import { BANNED, CONNECTING_TOO_FAST, TOO_MANY_FROM_ADDRESS } from "../chat/replies.ts";
import { CancelledError, getRunningLoop, timeout, TimeoutError, type Coro, type TimerHandle } from "../../loop/index.ts";
import {
  AddressInUseError,
  formatAddress,
  NetError,
  startServer,
  type StreamReader,
  type StreamServer,
  type StreamWriter,
} from "../../net/index.ts";
import { ChatClient, CLOSE_LINGER_MS, READ_LIMIT } from "./client.ts";
import type { ChatServerOptions } from "./options.ts";
import { AddressLimits } from "./address-limits.ts";
import { OutputBudget } from "./output-budget.ts";
import { INTERACTIVE_PRIORITY } from "./priorities.ts";

/**
 * How long shutdown waits for clients to take their last lines before
 * dropping the rest. Why 1 s: the protocol promises exit within 2 s, and
 * the process still has to stop after it.
 */
export const SHUTDOWN_GRACE_MS = 1000;

export { CLOSE_LINGER_MS } from "./client.ts";

/**
 * How long a newcomer that sends nothing waits before its room is told of
 * its arrival (its first line announces it at once). Why 1 s: a probe's
 * `/ping`, sent with the connection, arrives well within it, so probes are
 * never announced; a silent person is announced before anyone wonders.
 */
export const ADMISSION_DELAY_MS = 1000;

/** How often quiet rooms are told their joins, leaves and renames, in one line. */
export const CROWD_NOTICE_INTERVAL_MS = 1000;

export class ChatServer {
  readonly hub: ChatHub;
  readonly options: ChatServerOptions;
  /** The server-wide bound on unsent output (`--max-output-memory`). */
  readonly budget: OutputBudget;
  /** Connections per address (`--max-per-ip`, `--connect-rate`). */
  readonly addressLimits: AddressLimits;
  readonly #clients = new Set<ChatClient>();
  #server: StreamServer | null = null;
  #nextId = 0;
  #crowdTimer: TimerHandle | null = null;

  private constructor(options: ChatServerOptions) {
    this.options = options;
    const loop = getRunningLoop();
    this.hub = new ChatHub({
      quietRoomSize: options.quietRoomSize,
      now: () => loop.time(),
      historyLines: options.historyLines,
      operPassword: options.operPassword,
    });
    this.budget = new OutputBudget(options.maxOutputBytes);
    this.addressLimits = new AddressLimits({
      maxPerAddress: options.maxPerAddress,
      connectsPerSec: options.connectsPerSec,
      connectBurst: options.connectBurst,
      now: () => loop.time(),
    });
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
    chat.#tellCrowds();
    return chat;
  }

  /** Every interval, quiet rooms get their one line of joins and leaves. */
  #tellCrowds(): void {
    this.#crowdTimer = getRunningLoop().callLater(CROWD_NOTICE_INTERVAL_MS, () => {
      this.hub.flushCrowdNotices();
      this.#tellCrowds();
    });
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
    this.#crowdTimer?.cancel();
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
    const group = addressGroup(host);
    if (this.hub.isBanned(group)) {
      writer.write(`${BANNED}\n`);
      writer.close();
      log(`refused ${peer}: banned`);
      return;
    }
    const refusal = this.addressLimits.admit(group);
    if (refusal !== undefined) {
      writer.write(`${refusal === "too many" ? TOO_MANY_FROM_ADDRESS : CONNECTING_TOO_FAST}\n`);
      writer.close();
      log(`refused ${peer}: ${refusal === "too many" ? "too many connections" : "connecting too fast"} from ${group}`);
      return;
    }
    try {
      yield* this.#serveClient(reader, writer, peer, group);
    } finally {
      this.addressLimits.release(group);
    }
  }

  /** Serve a client its address admitted: the maximum of clients, then its task. */
  *#serveClient(reader: StreamReader, writer: StreamWriter, peer: string, group: string): Coro<void> {
    const { log } = this.options;
    if (this.#clients.size >= this.options.maxClients) {
      writer.write(`${serverFull()}\n`);
      writer.close();
      log(`refused ${peer}: server full`);
      return;
    }
    const client = new ChatClient(++this.#nextId, peer, this.hub, writer, this.options, this.budget, group);
    this.#clients.add(client);
    this.budget.add(client);
    let reason = "eof";
    let cancelled = false;
    const admission = getRunningLoop().callLater(ADMISSION_DELAY_MS, () => this.hub.announce(client));
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
      admission.cancel();
      this.budget.delete(client);
      this.hub.leave(client); // Once: a no-op after /quit, a slow-reader drop or shutdown.
      client.end(cancelled ? "reset" : reason);
      log(`disconnect ${client.nick || peer} from ${peer} (${client.ended})`);
      // Why not wait when cancelled: the cancellation is spent, so a new wait
      // here could not be cancelled again.
      try {
        if (!cancelled) yield* this.#linger(writer);
      } finally {
        this.#clients.delete(client);
      }
    }
  }

  /**
   * Wait until a closing connection has sent what is queued and closed; a
   * peer that no longer reads would keep it (and the process) alive forever.
   */
  *#linger(writer: StreamWriter): Coro<void> {
    try {
      yield* timeout(CLOSE_LINGER_MS, writer.waitClosed());
    } catch (error) {
      writer.abort();
      if (!(error instanceof TimeoutError)) throw error; // Cancelled at the end of a shutdown.
    }
  }
}
