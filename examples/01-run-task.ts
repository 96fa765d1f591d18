/**
 * Chapter step 1: a loop for a single task.
 *
 * The chapter's `run_task`: a coroutine is a generator, and "running" it is
 * calling `next()` until it says it is done. Each bare `yield` (or
 * `yield* release()`, the chapter's `interrupt`) hands control back to
 * whoever calls `next()`; with a single task there is nobody else to run,
 * which is the chapter's point: why be asynchronous for one task?
 *
 * Run: npx tsx examples/01-run-task.ts
 */
import { runTask } from "../src/loop/chapter.ts";
import { release, type Coro } from "../src/loop/index.ts";

/** The chapter's ComplexWork: print, give the turn back once, print again. */
function* complexWork(): Coro<number> {
  console.log("Hello");
  yield* release(); // Back to runTask, which simply calls next() again.
  console.log("World");
  return 42;
}

const result = runTask(complexWork());
console.log(`runTask returned ${result}`);
