/**
 * `boucle healthcheck [host:port]`: connect to a chat server, send `/ping`
 * with the connection, and wait for the welcome line (a `* ` notice) then
 * `* pong`. Exit 0 if both come within `--timeout-ms`, 1 otherwise, at once,
 * with the connection closed. Used by docker-compose's healthcheck; runs on
 * the loop like everything else.
 *
 * Why `/ping` first: the server announces a newcomer to `#lobby` only at its
 * first line (or after an admission delay), and a first `/ping` is never
 * announced, so probing every 10 s disturbs no one (docs/PROTOCOL.md).
 */
import { run, timeout, TimeoutError, type Coro } from "../../loop/index.ts";
import { openConnection, type StreamWriter, type TlsClientOptions } from "../../net/index.ts";
import { PONG } from "../chat/replies.ts";
import { intOption, parseCommandArgs, usage, UsageError, type CommandSpec } from "../cli/args.ts";
import { parseHostPort } from "../cli/host-port.ts";
import { tlsClientOptions, TLS_CLIENT_FLAGS } from "../cli/tls-flags.ts";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TLS_PORT } from "../chat-server/options.ts";

const SPEC: CommandSpec = {
  name: "healthcheck",
  summary: "Connect to a chat server and wait for its welcome line; exit 0 if it comes in time.",
  positionals: "[host:port]",
  options: {
    "timeout-ms": { type: "string", value: "MS", help: "give up after this long (default 3000)" },
    ...TLS_CLIENT_FLAGS, // --tls (default port 6697 then), --ca FILE, --insecure
  },
};

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs(SPEC, argv);
  if (args.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError("healthcheck: at most one host:port");
  const tls = tlsClientOptions(SPEC, args.values);
  const { host, port } = parseHostPort(args.positionals[0] ?? "", { command: "healthcheck", host: DEFAULT_HOST, port: tls ? DEFAULT_TLS_PORT : DEFAULT_PORT });
  const ms = intOption(SPEC, "timeout-ms", args.values["timeout-ms"], 3000, 1);
  const where = `${host}:${port}`;
  try {
    const problem = await run(timeout(ms, probe(host, port, tls)));
    if (problem === null) return 0;
    process.stderr.write(`healthcheck: ${where}: ${problem}\n`);
  } catch (error) {
    const message = error instanceof TimeoutError ? `no answer within ${ms} ms` : (error as Error).message;
    process.stderr.write(`healthcheck: ${where}: ${message}\n`);
  }
  return 1;
}

/** Ping the server; null if it answered as a chat server does, else what was wrong. */
function* probe(host: string, port: number, tls: TlsClientOptions | undefined): Coro<string | null> {
  let writer: StreamWriter | null = null;
  try {
    const [reader, w] = yield* openConnection(host, port, { tls });
    writer = w;
    writer.write("/ping\n");
    const welcome = yield* reader.nextLine();
    if (welcome === null) return "the server closed the connection without a welcome";
    const text = welcome.toString("utf8").trimEnd();
    if (!text.startsWith("* ")) return `unexpected first line: ${JSON.stringify(text)}`;
    for (let line; (line = yield* reader.nextLine()) !== null; ) {
      if (line.toString("utf8").trimEnd() === PONG) {
        writer.close();
        return null; // Room lines before it are skipped.
      }
    }
    return `the server closed the connection before ${PONG}`;
  } finally {
    // Why abort: on a timeout nothing more is wanted from the server, and a
    // socket left open would keep this process alive past its own deadline.
    if (writer !== null && !writer.isClosing()) writer.abort();
  }
}
