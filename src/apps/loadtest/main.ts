/**
 * `boucle loadtest`: drive a chat or echo server with many clients from one
 * process (every client a task on boucle's loop), check every message, and
 * print a summary table or one JSON object. Exit 0 only if the verdict
 * (report.ts) passed.
 */
import { run } from "../../loop/index.ts";
import { usage } from "../cli/args.ts";
import { COMMAND, parseOptions } from "./options.ts";
import { CLEAR_LINE } from "./progress.ts";
import { formatSummary, toJson, verdictOf } from "./report.ts";
import { loadtest } from "./run.ts";

/** Where the command writes; injectable for tests. */
export interface MainIo {
  stdout: { write(text: string): unknown };
  stderr: { isTTY?: boolean; columns?: number; write(text: string): unknown };
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
  // Why: a progress bar may be on the line; erase it before writing, or its
  // stale copy stays on screen above whatever comes next.
  const startOfLine = options.progress && io.stderr.isTTY === true ? CLEAR_LINE : "\n";
  let interrupted = false;
  // The first Ctrl-C stops sending and lets the run drain and report; a second one quits at once.
  const onSigint = (): void => {
    if (interrupted) {
      io.stderr.write(`${startOfLine}boucle loadtest: quit before the end\n`);
      process.exit(130); // 128 + SIGINT, what the shell reports for a process killed by Ctrl-C
    }
    interrupted = true;
    io.stderr.write(`${startOfLine}boucle loadtest: interrupted: no more sends; waiting for what is in flight (Ctrl-C again to quit)\n`);
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
