/**
 * `boucle echo-server`: echoes bytes back until SIGINT or SIGTERM.
 */
import { Event, getRunningLoop, run, type Coro } from "../../loop/index.ts";
import { AddressInUseError, formatAddress } from "../../net/index.ts";
import { hostOption, parseCommandArgs, portOption, usage, type CommandSpec } from "../cli/args.ts";
import { tlsServerFiles, TLS_SERVER_FLAGS } from "../cli/tls-flags.ts";
import { startEchoServer, type EchoServerOptions } from "./echo.ts";

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
  },
};

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(SPEC, argv);
  if (parsed.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  const v = parsed.values;
  const options: EchoServerOptions & Required<Omit<EchoServerOptions, "tls">> = {
    tls: tlsServerFiles(SPEC, v),
    host: hostOption(v["host"], "127.0.0.1"),
    port: portOption(SPEC, v["port"], "BOUCLE_ECHO_PORT", DEFAULT_PORT),
    log: v["quiet"] === true ? () => {} : (line) => process.stderr.write(`${line}\n`),
  };
  return run(serveUntilSignal(options));
}

function* serveUntilSignal(options: EchoServerOptions & Required<Omit<EchoServerOptions, "tls">>): Coro<number> {
  let server;
  try {
    server = yield* startEchoServer(options);
  } catch (error) {
    if (!(error instanceof AddressInUseError)) throw error;
    const where = formatAddress(options.host, options.port);
    throw new AddressInUseError(`cannot listen on ${where}: address already in use`, error.code, error, { cause: error });
  }
  const kind = options.tls === undefined ? "" : " (TLS)";
  process.stderr.write(`echo server${kind} listening on ${formatAddress(options.host, server.port)}\n`);
  const stop = new Event();
  const loop = getRunningLoop();
  const onSignal = (): void => {
    loop.callSoon(() => stop.set()); // Only schedule: no app logic in a Node callback.
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    yield* stop.wait();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  server.close();
  server.closeClients();
  yield* server.waitClosed();
  return 0;
}
