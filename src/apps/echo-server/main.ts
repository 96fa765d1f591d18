/**
 * `boucle echo-server`: echoes bytes back until SIGINT or SIGTERM; SIGUSR1
 * dumps the loop's tasks to stderr (docs/debugging.md).
 */
import { Event, getRunningLoop, run, type Coro } from "../../loop/index.ts";
import { AddressInUseError, formatAddress } from "../../net/index.ts";
import { hostOption, parseCommandArgs, portOption, usage, type CommandSpec } from "../cli/args.ts";
import { logFormatOption, metricsEndpointOptions, OBSERVABILITY_FLAGS, type MetricsEndpointOptions } from "../cli/observability-flags.ts";
import { tlsServerFiles, TLS_SERVER_FLAGS } from "../cli/tls-flags.ts";
import { stopMetricsEndpoint } from "../metrics/endpoint.ts";
import { createLogger, SILENT, type LogFormat } from "../logging/logger.ts";
import { reportLoopExceptions } from "../logging/loop-exceptions.ts";
import { dumpTasksOnSignal } from "../logging/task-dump-signal.ts";
import { EchoCounters, startEchoServer, type EchoServerOptions } from "./echo.ts";
import { startEchoMetrics } from "./metrics.ts";

export { startEchoServer, type EchoServerOptions } from "./echo.ts";

export const DEFAULT_PORT = 7007;

export const SPEC: CommandSpec = {
  name: "echo-server",
  summary: "Run the echo server: every byte received is sent back (binary safe).",
  options: {
    host: { type: "string", value: "HOST", help: "address to listen on (default 127.0.0.1, env BOUCLE_HOST)" },
    port: { type: "string", short: "p", value: "PORT", help: `port to listen on, 0 for any (default ${DEFAULT_PORT}, env BOUCLE_ECHO_PORT)` },
    ...TLS_SERVER_FLAGS, // TLS instead of plain TCP
    quiet: { type: "boolean", short: "q", help: "no log line per connect, disconnect and error" },
    ...OBSERVABILITY_FLAGS, // --metrics-port, --metrics-host, --log-format
  },
};

/** The command line's options: the server's, and how it is observed. */
type EchoMainOptions = EchoServerOptions &
  Required<Omit<EchoServerOptions, "tls">> & {
    logFormat: LogFormat;
    metrics: MetricsEndpointOptions | null;
  };

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(SPEC, argv);
  if (parsed.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  const v = parsed.values;
  const logFormat = logFormatOption(SPEC, v);
  const options: EchoMainOptions = {
    tls: tlsServerFiles(SPEC, v),
    host: hostOption(v["host"], "127.0.0.1"),
    port: portOption(SPEC, v["port"], "BOUCLE_ECHO_PORT", DEFAULT_PORT),
    log: v["quiet"] === true ? SILENT : createLogger({ format: logFormat }),
    counters: new EchoCounters(),
    logFormat,
    metrics: metricsEndpointOptions(SPEC, v),
  };
  return run(serveUntilSignal(options));
}

function* serveUntilSignal(options: EchoMainOptions): Coro<number> {
  let server;
  try {
    server = yield* startEchoServer(options);
  } catch (error) {
    if (!(error instanceof AddressInUseError)) throw error;
    const where = formatAddress(options.host, options.port);
    throw new AddressInUseError(`cannot listen on ${where}: address already in use`, error.code, error, { cause: error });
  }
  let metrics = null;
  try {
    if (options.metrics !== null) metrics = yield* startEchoMetrics(server, options.counters, options.metrics);
  } catch (error) {
    server.close();
    throw error;
  }
  // Always written, even with --quiet: scripts and tests wait for the listening lines.
  const always = createLogger({ format: options.logFormat });
  if (options.logFormat === "json") reportLoopExceptions(getRunningLoop(), always);
  const kind = options.tls === undefined ? "" : " (TLS)";
  const address = formatAddress(options.host, server.port);
  always.info("listening", `echo server${kind} listening on ${address}`, { address });
  if (metrics !== null) {
    const metricsAddress = formatAddress(options.metrics!.host, metrics.port);
    always.info("listening", `metrics listening on http://${metricsAddress}/metrics`, { address: metricsAddress });
  }
  const stop = new Event();
  const loop = getRunningLoop();
  const onSignal = (): void => {
    loop.callSoon(() => stop.set()); // Only schedule: no app logic in a Node callback.
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stopDumping = dumpTasksOnSignal(loop, always, options.logFormat);
  try {
    yield* stop.wait();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    stopDumping();
  }
  if (metrics !== null) yield* stopMetricsEndpoint(metrics);
  server.close();
  server.closeClients();
  yield* server.waitClosed();
  return 0;
}
