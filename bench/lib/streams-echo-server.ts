/**
 * An echo server on boucle's streams, for `npm run bench:echo` while the
 * app's own `boucle echo-server` is not available: `startServer` with one
 * task per client that writes back each chunk it reads (the same work as
 * the baseline's `socket.on("data", d => socket.write(d))`), with `drain()`
 * backpressure and the loop's per-iteration write coalescing.
 *
 * Run: `node --import tsx bench/lib/streams-echo-server.ts --port 0`
 * (prints `listening on HOST:PORT` to stderr).
 */
import { parseArgs } from "node:util";
import { run, type Coro } from "../../src/loop/index.ts";
import { startServer, type StreamReader, type StreamWriter } from "../../src/net/index.ts";

function* echo(reader: StreamReader, writer: StreamWriter): Coro<void> {
  for (;;) {
    const chunk = yield* reader.read(64 * 1024);
    if (chunk.length === 0) return;
    writer.write(chunk);
    yield* writer.drain();
  }
}

const { values } = parseArgs({ options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "7009" } } });
await run(
  (function* (): Coro<void> {
    const server = yield* startServer(echo, { host: values.host, port: Number(values.port) });
    process.stderr.write(`listening on ${values.host}:${server.port}\n`);
    yield* server.waitClosed();
  })(),
);
