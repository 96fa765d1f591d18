/**
 * The metrics endpoint: a registry rendered at `GET /metrics` by the HTTP
 * responder, as Prometheus scrapes it.
 */
import type { Coro } from "../../loop/index.ts";
import { AddressInUseError, formatAddress, type StreamServer } from "../../net/index.ts";
import type { MetricsRegistry } from "./exposition.ts";
import { startHttpResponder } from "./http-responder.ts";

/** The text exposition format's media type, as Prometheus asks for it. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Serve `registry` at `http://host:port/metrics` (and a one-line pointer at `/`).
 * Why exclusive: each node:cluster worker has metrics of its own, so each
 * listens on its own port; a shared one would answer for a random worker.
 * @throws AddressInUseError naming the metrics address, or another NetError.
 * @example
 * const endpoint = yield* startMetricsEndpoint(registry, { host: "127.0.0.1", port: 9464 });
 */
export function* startMetricsEndpoint(registry: MetricsRegistry, where: { host: string; port: number }): Coro<StreamServer> {
  try {
    return yield* startHttpResponder({
      host: where.host,
      port: where.port,
      exclusive: true,
      routes: {
        "/metrics": () => ({ status: 200, contentType: PROMETHEUS_CONTENT_TYPE, body: registry.render() }),
        "/": () => ({ status: 200, contentType: "text/plain; charset=utf-8", body: "boucle metrics: GET /metrics\n" }),
      },
    });
  } catch (error) {
    if (!(error instanceof AddressInUseError)) throw error;
    const address = formatAddress(where.host, where.port);
    throw new AddressInUseError(`cannot serve metrics on ${address}: address already in use`, error.code, error, { cause: error });
  }
}

/** Stop accepting, drop the connections, and wait until they are closed. */
export function* stopMetricsEndpoint(endpoint: StreamServer): Coro<void> {
  endpoint.close();
  endpoint.closeClients();
  yield* endpoint.waitClosed();
}
