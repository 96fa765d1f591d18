/**
 * The chat server's metrics endpoint (`--metrics-port`): the server-wide
 * families (metrics/server-registry.ts) and the chat's own, read from the
 * server's counters (counters.ts), its hub, its output budget and, with
 * `--redis`, its broker. Every metric is listed in docs/metrics.md.
 *
 * The one thing measured here rather than counted where it happens: each
 * client's output queue, sampled once a second into a histogram. Why
 * sample: a queue's depth changes with every write and every drain, and
 * only its distribution across clients over time says who lags.
 */
import { getRunningLoop, type Coro, type TimerHandle } from "../../loop/index.ts";
import type { StreamServer } from "../../net/index.ts";
import type { MetricsEndpointOptions } from "../cli/observability-flags.ts";
import { startMetricsEndpoint, stopMetricsEndpoint } from "../metrics/endpoint.ts";
import type { MetricsRegistry } from "../metrics/exposition.ts";
import { exponentialBounds, Histogram } from "../metrics/histogram.ts";
import { createServerRegistry } from "../metrics/server-registry.ts";
import type { ChatServer } from "./server.ts";

/** How often every client's output queue is observed. */
export const QUEUE_SAMPLE_INTERVAL_MS = 1000;
/** Empty, then 1 KiB to 1 MiB (the default `--max-queue`) by fours. */
const QUEUE_BOUNDS_BYTES = [0, ...exponentialBounds(1024, 4, 6)];

/** A running endpoint: its port, and how to stop it. */
export interface ChatMetricsEndpoint {
  readonly port: number;
  stop(): Coro<void>;
}

/**
 * Serve `server`'s metrics where `where` says.
 * @throws AddressInUseError naming the metrics address.
 */
export function* startChatMetrics(server: ChatServer, where: MetricsEndpointOptions): Coro<ChatMetricsEndpoint> {
  const loop = getRunningLoop();
  const registry = createServerRegistry(loop);
  const queues = new Histogram(QUEUE_BOUNDS_BYTES);
  const queued = { bytes: 0 };
  registerChatMetrics(registry, server, queues, queued);
  registerBrokerMetrics(registry, server);
  const endpoint: StreamServer = yield* startMetricsEndpoint(registry, where);
  let timer: TimerHandle | null = null;
  const sample = (): void => {
    let total = 0;
    for (const client of server.clients) {
      const bytes = client.queuedBytes();
      queues.observe(bytes);
      total += bytes;
    }
    queued.bytes = total;
    timer = loop.callLater(QUEUE_SAMPLE_INTERVAL_MS, sample);
  };
  timer = loop.callLater(QUEUE_SAMPLE_INTERVAL_MS, sample);
  return {
    port: endpoint.port,
    *stop() {
      timer?.cancel();
      yield* stopMetricsEndpoint(endpoint);
    },
  };
}

function registerChatMetrics(registry: MetricsRegistry, server: ChatServer, queues: Histogram, queued: { bytes: number }): void {
  const { counters } = server;
  registry.gauge("boucle_chat_clients", "Clients connected and admitted now.", () => server.clientCount);
  registry.gauge("boucle_chat_rooms", "Rooms with members (with --redis: members on this server).", () => server.hub.roomCount);
  registry.counter("boucle_chat_connections_total", "Clients admitted since the start.", () => counters.connections);
  registry.labelledCounter("boucle_chat_refused_connections_total", "Connections turned away before joining, by reason.", "reason", () => Object.entries(counters.refused));
  registry.labelledCounter("boucle_chat_disconnects_total", "Clients whose connection ended, by reason.", "reason", () => Object.entries(counters.disconnects));
  registry.counter("boucle_chat_lines_received_total", "Lines received from clients (messages and commands).", () => counters.linesReceived);
  registry.counter("boucle_chat_received_bytes_total", "Bytes of the lines received from clients.", () => counters.bytesReceived);
  registry.labelledCounter("boucle_chat_dropped_lines_total", "Lines received and not handled, by reason.", "reason", () => Object.entries(counters.droppedLines));
  registry.counter("boucle_chat_lines_sent_total", "Lines queued for clients (every delivery of a room line counts once per member).", () => counters.linesSent);
  registry.counter("boucle_chat_sent_bytes_total", "Bytes of the lines queued for clients.", () => counters.bytesSent);
  registry.histogram("boucle_chat_output_queue_bytes", "Each client's unsent output in bytes, observed once a second.", queues);
  registry.gauge("boucle_chat_output_queued_bytes", "Unsent output of all clients together, in bytes, at the last sample.", () => queued.bytes);
  registry.counter("boucle_chat_output_budget_evictions_total", "Slow readers dropped because all queues together passed --max-output-memory.", () => server.budget.evicted);
}

/** With `--redis`: the broker's round trips and backlog. */
function registerBrokerMetrics(registry: MetricsRegistry, server: ChatServer): void {
  const stats = server.brokerStats;
  if (stats === null) return;
  registry.histogram("boucle_broker_step_duration_seconds", "Round trip of a broker step: sent to Redis until what it appended came back to this server, in seconds.", stats.stepSeconds);
  registry.gauge("boucle_broker_steps_in_flight", "Broker steps sent and not yet done: the backlog waiting on Redis.", () => stats.inFlight);
  registry.counter("boucle_broker_unavailable_total", "Broker requests given up because Redis did not answer.", () => stats.unavailable);
  registry.gauge("boucle_broker_connected", "1 while the connection to Redis is up, else 0.", () => (stats.connected() ? 1 : 0));
}
