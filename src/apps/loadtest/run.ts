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
  stderr: { isTTY?: boolean; columns?: number; write(text: string): unknown };
  /**
   * Called once the run exists with a function that stops it early: no
   * more sends, what is in flight is still awaited and checked, and the
   * run is reported with an `interrupted` error. For Ctrl-C.
   */
  onStoppable?: (stop: () => void) => void;
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
  io.onStoppable?.(() => {
    if (ctx.stopping) return;
    ctx.stopping = true;
    ctx.stats.addError("interrupted");
  });
  try {
    const { expected, lost } = options.mode === "echo" ? yield* runEcho(ctx, bar) : yield* runChat(ctx, bar);
    return ctx.stats.toResult(options, startedAt, expected, lost);
  } finally {
    bar?.finish();
  }
}
