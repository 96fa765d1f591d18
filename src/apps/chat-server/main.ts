/**
 * `boucle chat-server` (= `npm start`): runs the chat server until SIGINT or
 * SIGTERM, then shuts down cleanly and exits 0.
 */
import { Event, getRunningLoop, run, type Coro } from "../../loop/index.ts";
import { formatAddress } from "../../net/index.ts";
import { RedisConnectionError } from "../../redis/index.ts";
import { usage } from "../cli/args.ts";
import { chatServerOptions, parseChatServerArgs, SPEC, type ChatServerOptions } from "./options.ts";
import { ChatServer } from "./server.ts";
import { isSupervisor, leaveCluster, superviseWorkers } from "./workers.ts";

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
    process.stderr.write(`boucle chat-server: ${error.message}\n`);
    return 1;
  } finally {
    leaveCluster();
  }
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

function* serveUntilSignal(options: ChatServerOptions): Coro<number> {
  const server = yield* ChatServer.start(options);
  // Always printed, even with --quiet: scripts and tests wait for it.
  if (options.plain) process.stderr.write(`chat server listening on ${formatAddress(options.host, server.port)}\n`);
  if (server.tlsPort !== undefined) process.stderr.write(`chat server (TLS) listening on ${formatAddress(options.host, server.tlsPort)}\n`);
  const stop = new Event();
  const loop = getRunningLoop();
  // Why so little here: a signal arrives in a Node callback, outside the
  // loop; all it does is schedule the Event's set() on the loop.
  const onSignal = (): void => {
    loop.callSoon(() => stop.set());
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    yield* stop.wait();
    options.log("shutting down");
    yield* server.shutdown();
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  return 0;
}
