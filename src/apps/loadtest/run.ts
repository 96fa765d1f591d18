/**
 * One load-test run as a coroutine: `yield* loadtest(options)` gives the
 * LoadtestResult. Every client is a task on the running loop.
 */
import type { Coro } from "../../loop/index.ts";
import { runChat } from "./chat-mode.ts";
import { progressBarFor, RunContext } from "./context.ts";
import { runEcho } from "./echo-mode.ts";
import type { LoadtestOptions } from "./options.ts";
import type { LoadtestResult } from "./result.ts";

export interface LoadtestIo {
  stderr: { isTTY?: boolean; write(text: string): unknown };
}

/**
 * Run a load test on the running loop and return its figures.
 * @example
 * const result = yield* loadtest(options, { stderr: process.stderr });
 * console.log(verdictOf(result).passed);
 */
export function* loadtest(options: LoadtestOptions, io: LoadtestIo = { stderr: process.stderr }): Coro<LoadtestResult> {
  const startedAt = new Date();
  const ctx = new RunContext(options);
  const bar = progressBarFor(options, io.stderr);
  try {
    const { expected, lost } = options.mode === "echo" ? yield* runEcho(ctx, bar) : yield* runChat(ctx, bar);
    return ctx.stats.toResult(options, startedAt, expected, lost);
  } finally {
    bar?.finish();
  }
}
