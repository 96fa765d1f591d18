/**
 * ChatServer: the ChatHub behind a StreamServer. It admits clients (up to
 * the maximum), runs one task per client (see client.ts), logs connects,
 * disconnects and errors, and shuts down cleanly. With a Redis URL the hub
 * is a ClusterHub: one node of a chat shared by every server on that Redis.
 */
import { addressGroup } from "../chat/address.ts";
import type { BrokerStats } from "../chat/broker/broker-stats.ts";
import { RedisBroker } from "../chat/broker/redis-broker.ts";
import type { LogFields } from "../logging/logger.ts";
import { ClusterHub } from "../chat/cluster-hub.ts";
import { ChatHub, serverFull } from "../chat/hub.ts";
import { BANNED, CONNECTING_TOO_FAST, TOO_MANY_FROM_ADDRESS } from "../chat/replies.ts";
import { CancelledError, getRunningLoop, timeout, TimeoutError, type Coro, type TimerHandle } from "../../loop/index.ts";
import {
  AddressInUseError,
  formatAddress,
  freeFileDescriptors,
  NetError,
  startServer,
  type StreamReader,
  type TlsServerOptions,
  type StreamServer,
  type StreamWriter,
} from "../../net/index.ts";
import { ChatClient, READ_LIMIT } from "./client.ts";
import type { ChatServerOptions } from "./options.ts";
import { AddressLimits } from "./address-limits.ts";
import { ChatCounters, disconnectReason, type RefusalReason } from "./counters.ts";
import { OutputBudget } from "./output-budget.ts";
import { INTERACTIVE_PRIORITY, MESSAGE_PRIORITY } from "./priorities.ts";

/**
 * How long shutdown waits for clients to take their last lines before
 * dropping the rest. Why 1 s: the protocol promises exit within 2 s, and
 * the process still has to stop after it.
 */
export const SHUTDOWN_GRACE_MS = 1000;

/**
 * File descriptors kept free when the open-file limit (`ulimit -n`) is
 * what bounds the clients: room to accept a connection anyway and answer
 * `! server full`, even while earlier refusals are still closing, and for
 * the odd file the process opens. Why 16: a burst of refusals closes in
 * milliseconds when the peers behave; past it, connections are closed
 * unanswered by libuv (EMFILE), and logged.
 */
export const FD_HEADROOM = 16;

/**
 * How long a connection refused for want of file descriptors may take to
 * send its EOF back. Why 250 ms, not the usual bound: it holds one of the
 * few descriptors kept in reserve; a peer that closes as told needs a
 * round trip, not seconds.
 */
export const REFUSAL_DRAIN_MS = 250;

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
  readonly hub: ChatHub | ClusterHub;
  readonly options: ChatServerOptions;
  /** The server-wide bound on unsent output (`--max-output-memory`). */
  readonly budget: OutputBudget;
  /** Connections per address (`--max-per-ip`, `--connect-rate`). */
  readonly addressLimits: AddressLimits;
  /** What the metrics endpoint reports (counters.ts). */
  readonly counters = new ChatCounters();
  /** The Redis broker's round trips and backlog, with `--redis`. */
  readonly brokerStats: BrokerStats | null;
  readonly #clients = new Set<ChatClient>();
  #plain: StreamServer | null = null;
  #tls: StreamServer | null = null;
  #nextId = 0;
  /** Connections the open-file limit leaves room for, headroom kept. */
  #fdSlots = Number.POSITIVE_INFINITY;
  #crowdTimer: TimerHandle | null = null;

  private constructor(options: ChatServerOptions, hub: ChatHub | ClusterHub, brokerStats: BrokerStats | null) {
    this.options = options;
    this.hub = hub;
    this.brokerStats = brokerStats;
    const loop = getRunningLoop();
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
    const loop = getRunningLoop();
    const [hub, brokerStats] =
      options.redisUrl === undefined
        ? [
            new ChatHub({
              quietRoomSize: options.quietRoomSize,
              now: () => loop.time(),
              historyLines: options.historyLines,
              operPassword: options.operPassword,
            }),
            null,
          ]
        : yield* clusterHub(options);
    const chat = new ChatServer(options, hub, brokerStats);
    try {
      if (options.plain) chat.#plain = yield* chat.#listen(options.port);
      if (options.tls !== null) chat.#tls = yield* chat.#listen(options.tls.port, options.tls);
    } catch (error) {
      chat.#plain?.close(); // The TLS port was taken: don't keep the plain one.
      if (chat.hub instanceof ClusterHub) yield* chat.hub.close();
      throw error;
    }
    const free = freeFileDescriptors();
    if (free !== undefined) {
      chat.#fdSlots = Math.max(0, free - FD_HEADROOM);
      if (chat.#fdSlots < options.maxClients) {
        options.log.warn("fd_limit", `at most ${chat.#fdSlots} clients: the open-file limit (ulimit -n) leaves no room for more`, { clients: chat.#fdSlots });
      }
    }
    chat.#tellCrowds();
    return chat;
  }

  /** Every interval, quiet rooms get their one line of joins and leaves (with Redis: every server's, each tally told once). */
  #tellCrowds(): void {
    const hub = this.hub;
    this.#crowdTimer = getRunningLoop().callLater(CROWD_NOTICE_INTERVAL_MS, () => {
      hub.flushCrowdNotices();
      this.#tellCrowds();
    });
  }

  /** One listener, plain or TLS, serving the same hub. */
  *#listen(port: number, tls?: TlsServerOptions): Coro<StreamServer> {
    const { options } = this;
    try {
      return yield* startServer((reader, writer) => this.#serve(reader, writer), {
        host: options.host,
        port,
        tls,
        limit: READ_LIMIT,
        clientPriority: options.priorities ? INTERACTIVE_PRIORITY : 0,
        onAcceptError: (error) => options.log.warn("accept_error", `refused a connection: ${error.message}`, { reason: error.message }),
      });
    } catch (error) {
      if (error instanceof AddressInUseError) {
        const where = formatAddress(options.host, port);
        throw new AddressInUseError(`cannot listen on ${where}: address already in use`, error.code, error, { cause: error });
      }
      throw error;
    }
  }

  /** The plain port actually bound, or the TLS one with `--no-plain`. */
  get port(): number {
    return (this.#plain ?? this.#tls)!.port;
  }

  /** The TLS port actually bound, if TLS is on. */
  get tlsPort(): number | undefined {
    return this.#tls?.port;
  }

  get #servers(): StreamServer[] {
    return [this.#plain, this.#tls].filter((server) => server !== null);
  }

  /** Clients connected and admitted. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** The clients connected and admitted, for the metrics' queue sampling. */
  get clients(): ReadonlySet<ChatClient> {
    return this.#clients;
  }

  /**
   * Stop accepting (the port is released), tell everyone the server is
   * shutting down, let them have what is queued for up to `graceMs`, then
   * drop whoever is left.
   */
  *shutdown(graceMs = SHUTDOWN_GRACE_MS): Coro<void> {
    const servers = this.#servers;
    for (const server of servers) server.close();
    this.#crowdTimer?.cancel();
    this.hub.shutdown(); // "* server shutting down" to everyone, then each client's close().
    const allClosed = function* (): Coro<void> {
      for (const server of servers) yield* server.waitClosed();
    };
    try {
      yield* timeout(graceMs, allClosed());
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      for (const client of this.#clients) client.end("reset");
      for (const server of servers) server.closeClients();
      yield* allClosed();
    } finally {
      if (this.hub instanceof ClusterHub) yield* this.hub.close();
    }
  }

  /** One client's task (startServer's handler; it closes the writer afterwards). */
  *#serve(reader: StreamReader, writer: StreamWriter): Coro<void> {
    const { host, port } = writer.socket.remote;
    const peer = host === undefined ? "?" : formatAddress(host, port);
    const group = addressGroup(host);
    // Bans are one server's (a ClusterHub has no operators yet).
    if (this.hub instanceof ChatHub && this.hub.isBanned(group)) {
      writer.write(`${BANNED}\n`);
      writer.close();
      this.#refused(peer, "banned", `refused ${peer}: banned`);
      return;
    }
    const refusal = this.addressLimits.admit(group);
    if (refusal !== undefined) {
      writer.write(`${refusal === "too many" ? TOO_MANY_FROM_ADDRESS : CONNECTING_TOO_FAST}\n`);
      writer.close();
      const tooMany = refusal === "too many";
      const why = `${tooMany ? "too many connections" : "connecting too fast"} from ${group}`;
      this.#refused(peer, tooMany ? "too_many_from_address" : "connecting_too_fast", `refused ${peer}: ${why}`);
      return;
    }
    try {
      yield* this.#serveClient(reader, writer, peer, group);
    } finally {
      this.addressLimits.release(group);
    }
  }

  /** Count and log a connection turned away before it joined. */
  #refused(peer: string, reason: RefusalReason, text: string): void {
    this.counters.refused[reason]++;
    this.options.log.info("refused", text, { address: peer, reason });
  }

  /** Serve a client its address admitted: the maximum of clients, then its task. */
  *#serveClient(reader: StreamReader, writer: StreamWriter, peer: string, group: string): Coro<void> {
    const { log } = this.options;
    // Why the server's connection count for the file descriptors: it also
    // counts connections still closing, which hold theirs.
    let connections = 0;
    for (const server of this.#servers) connections += server.clientCount;
    const outOfFds = connections >= this.#fdSlots;
    if (this.#clients.size >= this.options.maxClients || outOfFds) {
      writer.write(`${serverFull()}\n`);
      writer.close(outOfFds ? { drainMs: REFUSAL_DRAIN_MS } : {}); // Short only when descriptors are scarce.
      this.#refused(peer, "server_full", `refused ${peer}: server full${outOfFds ? " (open-file limit)" : ""}`);
      if (connections + 1 >= this.#fdSlots + FD_HEADROOM) {
        log.warn("fd_exhausted", "out of file descriptors: more connections are closed unanswered until some close");
      }
      return;
    }
    const client = new ChatClient(++this.#nextId, peer, this.hub, writer, this.options, this.budget, group, this.counters);
    this.counters.connections++;
    this.#clients.add(client);
    this.budget.add(client);
    let reason = "eof";
    let cancelled = false;
    const hub = this.hub;
    const admission = getRunningLoop().callLater(ADMISSION_DELAY_MS, () => hub.announce(client));
    try {
      if (this.hub instanceof ClusterHub) yield* this.hub.join(client);
      else this.hub.join(client);
      client.flushNow();
      log.info("connect", `connect ${client.nick} from ${peer}`, clientFields(client));
      yield* client.readLines(reader);
    } catch (error) {
      if (error instanceof CancelledError) {
        cancelled = true; // The end of a shutdown's grace period.
        throw error;
      }
      if (!(error instanceof NetError)) throw error;
      reason = error.code === "ECONNRESET" ? "reset" : error.code;
      log.warn("error", `error ${client.nick || peer} from ${peer}: ${error.message}`, { ...clientFields(client), reason: error.message });
      client.end("reset");
    } finally {
      admission.cancel();
      this.budget.delete(client);
      this.hub.leave(client); // Once: a no-op after /quit, a slow-reader drop or shutdown.
      client.end(cancelled ? "reset" : reason);
      const ended = client.ended ?? reason;
      this.counters.disconnects[disconnectReason(ended)]++;
      log.info("disconnect", `disconnect ${client.nick || peer} from ${peer} (${ended})`, { ...clientFields(client), reason: ended });
      // The close itself is graceful and bounded (src/net/graceful-close.ts);
      // startServer waits for it before the task ends.
      this.#clients.delete(client);
    }
  }
}

/** The fields of a client's log lines. */
function clientFields(client: ChatClient): LogFields {
  return { client: client.id, address: client.peer, nick: client.nick || undefined, room: client.room || undefined };
}

/** A ClusterHub on a started broker, and the broker's stats. @throws RedisConnectionError if Redis can't be reached. */
function* clusterHub(options: ChatServerOptions): Coro<[ClusterHub, BrokerStats]> {
  const hub = new ClusterHub();
  // Why MESSAGE_PRIORITY: the reader does the rooms' fan-out, which must not delay replies to commands.
  const readerPriority = options.priorities ? MESSAGE_PRIORITY : 0;
  const { leaseMs, quietRoomSize, historyLines } = options;
  const broker = yield* RedisBroker.start(options.redisUrl!, hub.listener, { leaseMs, readerPriority, quietRoomSize, historyLines });
  hub.attach(broker);
  return [hub, broker.stats];
}
