/**
 * `boucle healthcheck [host:port]`: connect to a chat server and wait for its
 * welcome line (a `* ` notice). Exit 0 if it comes in time, 1 otherwise.
 * Used by docker-compose's healthcheck; runs on the loop like everything else.
 */
import { run, timeout } from "../../loop/index.ts";
import { openConnection } from "../../net/index.ts";
import { intOption, parseCommandArgs, usage, UsageError, type CommandSpec } from "../cli/args.ts";
import { parseHostPort } from "../cli/host-port.ts";
import { DEFAULT_HOST, DEFAULT_PORT } from "../chat-server/options.ts";

const SPEC: CommandSpec = {
  name: "healthcheck",
  summary: "Connect to a chat server and wait for its welcome line; exit 0 if it comes in time.",
  positionals: "[host:port]",
  options: {
    "timeout-ms": { type: "string", value: "MS", help: "give up after this long (default 3000)" },
  },
};

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs(SPEC, argv);
  if (args.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError("healthcheck: at most one host:port");
  const { host, port } = parseHostPort(args.positionals[0] ?? "", { command: "healthcheck", host: DEFAULT_HOST, port: DEFAULT_PORT });
  const ms = intOption(SPEC, "timeout-ms", args.values["timeout-ms"], 3000, 1);
  try {
    const welcome = await run(
      timeout(
        ms,
        (function* () {
          const [reader, writer] = yield* openConnection(host, port);
          const line = yield* reader.readline();
          writer.close();
          return line.toString("utf8");
        })(),
      ),
    );
    if (welcome.startsWith("* ")) return 0;
    process.stderr.write(`healthcheck: unexpected first line: ${JSON.stringify(welcome.trimEnd())}\n`);
  } catch (error) {
    process.stderr.write(`healthcheck: ${(error as Error).message}\n`);
  }
  return 1;
}
