/**
 * Baseline echo server: plain Node `net` with callbacks, written the way a
 * competent Node developer would, one `socket.write` per chunk received.
 * Benchmarks compare our loop's echo server against it.
 *
 * Run: `npx tsx bench/baselines/echo-server.ts --port 7008`
 */
import { createBaselineServer, isMain, listenTracked, runBaselineCli } from "./serve.ts";
import type { BaselineOptions, BaselineServer } from "./serve.ts";

/** Default CLI port: next to our echo server's 7007 so both can run at once. */
const DEFAULT_PORT = 7008;

/**
 * Starts the baseline echo server: every byte received is written back as is.
 *
 * @example
 * const server = await startBaselineEchoServer({ host: "127.0.0.1", port: 0 });
 * // ... connect to server.port ...
 * await server.close();
 */
export function startBaselineEchoServer(options: BaselineOptions): Promise<BaselineServer> {
  const server = createBaselineServer(options, (socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    socket.on("data", (data) => socket.write(data));
  });
  return listenTracked(server, options);
}

if (isMain(import.meta.url)) void runBaselineCli("baseline-echo-server", DEFAULT_PORT, startBaselineEchoServer);
