/**
 * The echo server: every byte received goes back as it came (binary safe,
 * not line-based). The benchmarks' baseline; `startEchoServer` runs it
 * in-process on the current loop.
 */
import { CancelledError, type Coro } from "../../loop/index.ts";
import { startServer, type StreamReader, type StreamServer, type StreamWriter, type TlsServerOptions } from "../../net/index.ts";
import { SILENT, type Logger } from "../logging/logger.ts";

/** Bytes asked of one `recv`: asyncio's read size, a few TCP windows' worth. */
const RECV_SIZE = 64 * 1024;

export interface EchoServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (read it back from `server.port`). */
  port?: number;
  /** Told of each connect, disconnect and error (the CLI logs them). */
  log?: Logger;
  /** Serve TLS instead of plain TCP, with this certificate and key (PEM). */
  tls?: TlsServerOptions;
  /** Where connections and bytes are counted (for `--metrics-port`). */
  counters?: EchoCounters;
}

/** What the echo server counts: plain fields the metrics endpoint reads. */
export class EchoCounters {
  /** Connections served since the start. */
  connections = 0;
  /** Bytes received, and so sent back. */
  bytes = 0;
}

/**
 * Listen and echo each client's bytes back until it closes; on the peer's
 * EOF what is queued is sent, then the connection closed.
 * @throws AddressInUseError or another NetError.
 * @example
 * const server = yield* startEchoServer({ port: 0 });
 * const [reader, writer] = yield* openConnection("127.0.0.1", server.port);
 */
export function* startEchoServer(options: EchoServerOptions = {}): Coro<StreamServer> {
  const log = options.log ?? SILENT;
  const counters = options.counters ?? new EchoCounters();
  return yield* startServer((reader, writer) => echo(reader, writer, log, counters), {
    host: options.host,
    port: options.port,
    tls: options.tls,
    onAcceptError: (error) => log.warn("accept_error", `refused a connection: ${error.message}`, { reason: error.message }),
  });
}

/**
 * One client: recv, write, drain (backpressure: a peer that doesn't read
 * stops us reading it). Whether the peer sent EOF or the server is shutting
 * down (cancelled), startServer then closes gracefully: what was echoed
 * arrives, then EOF.
 */
export function* echo(_reader: StreamReader, writer: StreamWriter, log: Logger, counters: EchoCounters): Coro<void> {
  const socket = writer.socket;
  const { host, port } = socket.remote;
  const peer = `${host}:${port}`;
  counters.connections++;
  log.info("connect", `connect ${peer}`, { address: peer });
  let bytes = 0;
  try {
    for (;;) {
      const chunk = yield* socket.recv(RECV_SIZE);
      if (chunk.length === 0) break;
      bytes += chunk.length;
      counters.bytes += chunk.length;
      writer.write(chunk);
      yield* writer.drain();
    }
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    writer.abort(); // The connection failed: nothing more to send.
    log.warn("error", `error ${peer}: ${(error as Error).message}`, { address: peer, reason: (error as Error).message });
  } finally {
    log.info("disconnect", `disconnect ${peer} (${bytes} bytes echoed)`, { address: peer, bytes });
  }
}
