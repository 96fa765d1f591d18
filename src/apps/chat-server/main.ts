/**
 * `boucle chat-server` (= `npm start`): runs the chat server until SIGINT or
 * SIGTERM, then shuts down cleanly and exits 0. SIGUSR1 writes a dump of
 * the loop's tasks to stderr (docs/debugging.md).
 */
import { Event, getRunningLoop, run, type Coro } from "../../loop/index.ts";
import { formatAddress } from "../../net/index.ts";
import { RedisConnectionError } from "../../redis/index.ts";
import { usage } from "../cli/args.ts";
import { chatServerOptions, parseChatServerArgs, SPEC, type ChatServerOptions } from "./options.ts";
import { ChatServer } from "./server.ts";
import type { MetricsEndpointOptions } from "../cli/observability-flags.ts";
import { createLogger } from "../logging/logger.ts";
import { reportLoopExceptions } from "../logging/loop-exceptions.ts";
import { dumpTasksOnSignal } from "../logging/task-dump-signal.ts";
import { startChatMetrics, type ChatMetricsEndpoint } from "./metrics.ts";
import { isSupervisor, leaveCluster, superviseWorkers, workerIndex } from "./workers.ts";

export { ChatServer } from "./server.ts";
export type { ChatServerOptions } from "./options.ts";

export async function main(argv: string[]): Promise<number> {
  const parsed = parseChatServerArgs(argv);
  if (parsed.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  const options = chatServerOptions(parsed);
  if (isSupervisor(options.workers)) return superviseWorkers(options.workers, options.log);
  try {
    return await run(serveUntilSignal(options));
  } catch (error) {
    if (!(error instanceof RedisConnectionError)) throw error;
    createLogger({ format: options.logFormat }).error("fatal", `boucle chat-server: ${error.message}`, { reason: error.message });
    return 1;
  } finally {
    leaveCluster();
  }
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function* serveUntilSignal(options: ChatServerOptions): Coro<number> {
  const loop = getRunningLoop();
  // Always written, even with --quiet: scripts and tests wait for the listening lines.
  const always = createLogger({ format: options.logFormat });
  if (options.logFormat === "json") reportLoopExceptions(loop, always);
  const server = yield* ChatServer.start(options);
  let metrics: ChatMetricsEndpoint | null = null;
  try {
    if (options.metrics !== null) metrics = yield* startChatMetrics(server, metricsAddress(options.metrics));
  } catch (error) {
    yield* server.shutdown();
    throw error;
  }
  const listening = (what: string, address: string, url = address): void => always.info("listening", `${what} listening on ${url}`, { address });
  if (options.plain) listening("chat server", formatAddress(options.host, server.port));
  if (server.tlsPort !== undefined) listening("chat server (TLS)", formatAddress(options.host, server.tlsPort));
  if (metrics !== null) {
    const address = formatAddress(options.metrics!.host, metrics.port);
    listening("metrics", address, `http://${address}/metrics`);
  }
  const stop = new Event();
  // Why so little here: a signal arrives in a Node callback, outside the
  // loop; all it does is schedule the Event's set() on the loop.
  const onSignal = (): void => {
    loop.callSoon(() => stop.set());
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const stopDumping = dumpTasksOnSignal(loop, always, options.logFormat);
  try {
    yield* stop.wait();
    options.log.info("shutdown", "shutting down");
    yield* server.shutdown();
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    stopDumping();
    if (metrics !== null) yield* metrics.stop();
  }
  return 0;
}

/** Where this process serves metrics: with `--workers`, worker k on `--metrics-port` + k (0 stays any free port). */
function metricsAddress(where: MetricsEndpointOptions): MetricsEndpointOptions {
  return where.port === 0 ? where : { ...where, port: where.port + workerIndex() };
}
