/**
 * The outcome of one `boucle loadtest` run. `--json` prints this object
 * (with a `verdict`, see report.ts) as one line of JSON, so the TSDoc on
 * each field below is the documentation of the JSON output.
 */
import type { Percentiles } from "./histogram.ts";

/** Which server the load test drove. */
export type LoadtestMode = "chat" | "echo";

/** Everything one load-test run measured. */
export interface LoadtestResult {
  /** `"chat"`: clients exchange messages in one room; `"echo"`: clients check their bytes come back. */
  mode: LoadtestMode;
  /** Server address that was tested; with `--targets`, every `host:port`, comma-separated. */
  host: string;
  /** Server port that was tested. */
  port: number;
  /** When the run started, as an ISO 8601 UTC timestamp. */
  startedAt: string;
  /** Number of client connections the run asked for. */
  clients: number;
  /** Number of those clients that connected and took part. */
  connected: number;
  /** Size of each message body in bytes (chat) or of each echoed line (echo), newline excluded. */
  messageBytes: number;
  /** Messages each client was asked to send, or `null` when the run was bounded by duration only. */
  messagesPerClient: number | null;
  /** Target send rate per client in messages/s (open loop), or `null` for as fast as the window allows. */
  ratePerClient: number | null;
  /**
   * Closed-loop window: messages in flight per client (echo: lines awaiting
   * their echo, 1 = ping-pong; chat: messages not yet delivered to every
   * member), or `null` for an open-loop (`--rate`) run.
   */
  pipeline: number | null;
  /** Length of the warm-up phase in ms, not counted in any figure. */
  warmupMs: number;
  /** Length of the measured phase in ms: from the end of the warm-up to the last receive. */
  durationMs: number;
  /** Messages the clients sent, warm-up included (every one is checked). */
  sent: number;
  /**
   * Messages received: in chat mode every delivered copy (a message reaches
   * N-1 members of a room of N), in echo mode every echoed message.
   */
  received: number;
  /** Messages that should have been received: `sent x (N-1)` in a chat room of N, `sent` in echo mode. */
  expected: number;
  /** Expected messages never received: `expected` minus distinct messages received. */
  lost: number;
  /** Received copies of a message already received by the same client. */
  duplicated: number;
  /** Messages received after a later message from the same sender to the same receiver. */
  reordered: number;
  /** Received lines that were not the bytes sent (echo) or not a valid load-test message (chat). */
  corrupted: number;
  /** Correct messages received after the warm-up: what `messagesPerSecond` counts. */
  measuredReceived: number;
  /** `measuredReceived` per second of `durationMs`. */
  messagesPerSecond: number;
  /** Received payload megabytes (10^6 bytes, newlines included) per second over the measured phase. */
  megabytesPerSecond: number;
  /** Latency from send to receive of the messages sent after the warm-up, in ms (chat: from the sender's send time to each receiver). */
  latencyMs: Percentiles;
  /**
   * Chat with `--targets` (clients spread over several servers): the same
   * latency, split by whether the receiver is on its sender's server or on
   * another; `null` with one server.
   */
  latencyByServerMs: { same: Percentiles; cross: Percentiles } | null;
  /** Time from starting a connection to its welcome line (chat) or its connect event (echo), in ms. */
  connectMs: Percentiles;
  /**
   * CPU time (user + system) the load-test process used from the start of
   * sending to the end, in % of one core. Near 100 means the client, not
   * the server, may have been the bottleneck: the figures are then a lower
   * bound of what the server can do.
   */
  clientCpuPercent: number;
  /** Errors by kind (e.g. `"ECONNRESET"`, `"connect-timeout"`, `"server-error-line"`) to count; any count fails the run. */
  errors: Record<string, number>;
}
