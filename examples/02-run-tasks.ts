/**
 * Chapter step 2: round-robin over several tasks.
 *
 * The chapter's `run_tasks`: take the first task, resume it once, and put it
 * back at the end of the line unless it finished. The loop does not wait for
 * a task to end before running the others: one interruption is enough for
 * it to move on to the next one.
 *
 * Run: npx tsx examples/02-run-tasks.ts
 * Prints: 1, Hello, 2, 3, World
 */
import { runTasks } from "../src/loop/chapter.ts";
import { release, type Coro } from "../src/loop/index.ts";

/** The chapter's simple_print: prints at once and never gives the turn back. */
function* simplePrint(n: number): Coro<void> {
  console.log(n);
}

/** The chapter's ComplexWork: Hello, one interruption, World. */
function* complexWork(): Coro<void> {
  console.log("Hello");
  yield* release(); // The chapter's `await interrupt()`: the turn goes to the next task.
  console.log("World");
}

runTasks(simplePrint(1), complexWork(), simplePrint(2), simplePrint(3));
