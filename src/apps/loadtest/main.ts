/**
 * `boucle loadtest`: drive a chat or echo server with many clients from one
 * process (every client a task on boucle's loop), check every message, and
 * print a summary table or one JSON object. Exit 0 only if the verdict
 * (report.ts) passed.
 */
import { run } from "../../loop/index.ts";
import { usage } from "../cli/args.ts";
import { COMMAND, parseOptions } from "./options.ts";
import { formatSummary, toJson, verdictOf } from "./report.ts";
import { loadtest } from "./run.ts";

/** Where the command writes; injectable for tests. */
export interface MainIo {
  stdout: { write(text: string): unknown };
  stderr: { isTTY?: boolean; write(text: string): unknown };
}

/**
 * Run `boucle loadtest` with `argv` (after the subcommand); resolves with the exit code.
 * @throws UsageError for a bad flag (the CLI prints it as one line).
 * @example
 * process.exitCode = await main(["--mode", "echo", "--port", "7007", "--clients", "100", "--json"]);
 */
export async function main(argv: string[], io: MainIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const options = parseOptions(argv);
  if (options === null) {
    io.stdout.write(usage(COMMAND));
    return 0;
  }
  if (options.scenario !== null) {
    const { runScenario } = await import("./scenarios.ts");
    const { formatScenario } = await import("./scenario-report.ts");
    const result = await run(runScenario(options));
    io.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatScenario(result));
    // Why fail on no samples: a probe that measured nothing proves nothing.
    return result.rest.line.count > 0 && result.attack.line.count > 0 ? 0 : 1;
  }
  let stop: (() => void) | null = null;
  // Why only a flag: the first Ctrl-C stops sending and lets the run drain
  // and report; a second one is Node's default (exit at once).
  const onSigint = (): void => {
    process.off("SIGINT", onSigint);
    io.stderr.write("\nboucle loadtest: interrupted: no more sends; waiting for what is in flight (Ctrl-C again to quit)\n");
    stop?.();
  };
  process.on("SIGINT", onSigint);
  let result;
  try {
    result = await run(loadtest(options, { stderr: io.stderr, onStoppable: (fn) => (stop = fn) }));
  } finally {
    process.off("SIGINT", onSigint);
  }
  const verdict = verdictOf(result);
  io.stdout.write(options.json ? toJson(result) + "\n" : formatSummary(result));
  if (!verdict.passed && options.json) io.stderr.write(`boucle loadtest: FAIL: ${verdict.reasons.join("; ")}\n`);
  return verdict.passed ? 0 : 1;
}
