/**
 * The echo server's metrics endpoint (`--metrics-port`): the server-wide
 * families and the echo's own three (docs/metrics.md).
 */
import { getRunningLoop, type Coro } from "../../loop/index.ts";
import type { StreamServer } from "../../net/index.ts";
import type { MetricsEndpointOptions } from "../cli/observability-flags.ts";
import { startMetricsEndpoint } from "../metrics/endpoint.ts";
import { createServerRegistry } from "../metrics/server-registry.ts";
import type { EchoCounters } from "./echo.ts";

/** Serve the metrics of `server`, counted in `counters`. @throws AddressInUseError naming the metrics address. */
export function* startEchoMetrics(server: StreamServer, counters: EchoCounters, where: MetricsEndpointOptions): Coro<StreamServer> {
  const registry = createServerRegistry(getRunningLoop());
  registry.gauge("boucle_echo_clients", "Connections open now.", () => server.clientCount);
  registry.counter("boucle_echo_connections_total", "Connections served since the start.", () => counters.connections);
  registry.counter("boucle_echo_bytes_total", "Bytes received and echoed back.", () => counters.bytes);
  return yield* startMetricsEndpoint(registry, where);
}
