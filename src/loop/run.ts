/**
 * `run(main)`: the program's entry point, like `asyncio.run`. A fresh loop
 * runs `main`; whatever tasks are left are cancelled and waited for; the
 * loop is closed.
 */
import { EventLoop, type EventLoopOptions } from "./event-loop.ts";
import { cancelAndWait } from "./wait.ts";
import type { Coro } from "./types.ts";

/**
 * Run `main` on a new loop; resolve with its value or reject with its error.
 * @example
 * await run(function* () { yield* sleep(100); return "done"; }());
 */
export async function run<T>(main: Coro<T>, options?: EventLoopOptions): Promise<T> {
  const loop = new EventLoop(options);
  try {
    return await loop.runUntilComplete(main);
  } finally {
    await cancelRemaining(loop);
    loop.close();
  }
}

/** Cancel what `main` left running and wait for it; report what failed instead of cancelling. */
async function cancelRemaining(loop: EventLoop): Promise<void> {
  const left = loop.allTasks();
  if (left.length === 0) return;
  const failures = await loop.runUntilComplete(cancelAndWait(left));
  for (const exception of failures) {
    loop.callExceptionHandler({ message: "a task failed while run() was cancelling it", exception });
  }
}
