/**
 * `boucle`: one CLI for every app. Each subcommand lives in its own module
 * exporting `main(argv): Promise<number>` (the exit code), loaded on demand.
 * A UsageError or a known network error (port in use, refused) becomes one
 * line on stderr and exit code 1, never a stack trace.
 *
 * `--trace FILE`, accepted by every subcommand, traces every loop the
 * command runs (docs/tracing.md) and writes the file when it ends; where
 * it went is logged as the command logs (`--log-format json`: a JSON line).
 */
import { installDefaultTracer, Tracer } from "../loop/trace/tracer.ts";
import { NetError } from "../net/index.ts";
import { UsageError } from "./cli/args.ts";
import { packageVersion } from "./cli/version.ts";
import { createLogger, type Logger } from "./logging/logger.ts";

type Main = (argv: string[]) => Promise<number>;

/** Every subcommand; docker-compose.yml and the Dockerfile may use only these. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<{ main: Main }> }> = {
  "chat-server": { summary: "run the chat server (default 127.0.0.1:7777)", load: () => import("./chat-server/main.ts") },
  "echo-server": { summary: "run the echo server (default 127.0.0.1:7007)", load: () => import("./echo-server/main.ts") },
  connect: { summary: "terminal chat client: boucle connect [host:port]", load: () => import("./client/main.ts") },
  loadtest: { summary: "load-test a chat or echo server", load: () => import("./loadtest/main.ts") },
  demo: { summary: "run the course chapter's examples on the loop", load: () => import("./demo/main.ts") },
  healthcheck: { summary: "exit 0 if a chat server answers with its welcome line", load: () => import("./healthcheck/main.ts") },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return (
    `usage: boucle <command> [options]\n\ncommands:\n${lines.join("\n")}\n\n` +
    `boucle <command> --help for a command's options; boucle --version for the version\n` +
    `every command also takes --trace FILE: a timeline of its loop for Perfetto (docs/tracing.md)\n`
  );
}

/**
 * Run `boucle ARGV...`; resolves with the exit code. Bare `boucle` is a
 * mistake (usage on stderr, exit 1); `--help` is a request (stdout, exit 0).
 */
export async function cli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(help());
    return 1;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`boucle ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`boucle: unknown command "${name}" (try boucle --help)\n`);
    return 1;
  }
  let trace: { file: string; tracer: Tracer } | undefined;
  try {
    const file = takeTraceOption(name, rest);
    if (file !== undefined) {
      trace = { file, tracer: new Tracer() };
      installDefaultTracer(trace.tracer);
    }
    return await (await command.load()).main(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`boucle ${error.message}\n`); // Its message starts with the command's name.
      return 1;
    }
    if (error instanceof NetError) {
      process.stderr.write(`boucle ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    if (trace !== undefined) {
      installDefaultTracer(null);
      writeTrace(trace.file, trace.tracer, createLogger({ format: findOption(rest, "--log-format")?.value === "json" ? "json" : "text" }));
    }
  }
}

/**
 * Remove `--trace FILE` (or `--trace=FILE`) from `argv`, before a `--`;
 * returns FILE. @throws UsageError without a file name.
 */
function takeTraceOption(command: string, argv: string[]): string | undefined {
  const option = findOption(argv, "--trace");
  if (option === undefined) return undefined;
  const { at, inline, value: file } = option;
  if (file === undefined || file === "" || (!inline && file.startsWith("--"))) throw new UsageError(`${command}: --trace needs a file name`);
  argv.splice(at, inline ? 1 : 2);
  return file;
}

/** Where `NAME VALUE` or `NAME=VALUE` is in `argv`, before a `--`, and the value. */
function findOption(argv: string[], name: string): { at: number; inline: boolean; value: string | undefined } | undefined {
  const end = argv.includes("--") ? argv.indexOf("--") : argv.length;
  const at = argv.findIndex((arg, i) => i < end && (arg === name || arg.startsWith(`${name}=`)));
  if (at < 0) return undefined;
  const inline = argv[at]!.startsWith(`${name}=`);
  return { at, inline, value: inline ? argv[at]!.slice(name.length + 1) : argv[at + 1] };
}

/** Write the trace, unless no loop ran (`--help`, a usage error): then there is nothing to see. */
function writeTrace(file: string, tracer: Tracer, log: Logger): void {
  const kept = tracer.events();
  if (kept.every((event) => event.ph === "M")) return;
  tracer.writeFile(file);
  const events = kept.length;
  const dropped = tracer.dropped > 0 ? `, the oldest ${tracer.dropped} dropped` : "";
  log.info("trace_written", `boucle: trace written to ${file} (${events} events${dropped})`, { file, events, dropped: tracer.dropped });
}
