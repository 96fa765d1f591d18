/**
 * Chapter step 5: waiting on several tasks at once.
 *
 * `gather(a, b, ...)` runs its arguments concurrently (coroutines become
 * tasks) and returns their results in argument order, typed as a tuple:
 * below, `[number, string]`. The first failure fails the gather.
 *
 * `taskGroup` is the structured form new code should prefer: children live
 * no longer than the group; when one fails, the others are cancelled
 * (CancelledError is thrown at their `yield*`, so their `finally` runs), the
 * group waits for all of them, then throws a TaskGroupError.
 *
 * Both run on the virtual clock (time jumps to the next timer when nothing
 * else can happen), so the sleeps below take no real time and the output is
 * the same on every run. Remove the option to wait for real.
 *
 * Run: npx tsx examples/05-gather.ts
 */
import {
  gather,
  getRunningLoop,
  run,
  sleep,
  TaskGroupError,
  taskGroup,
  type Coro,
} from "../src/loop/index.ts";

function log(message: string): void {
  console.log(`[t=${getRunningLoop().time()} ms] ${message}`);
}

function* countTo(n: number): Coro<number> {
  for (let i = 1; i <= n; i++) {
    yield* sleep(10);
    log(`count ${i}`);
  }
  return n;
}

function* fetchName(): Coro<string> {
  yield* sleep(25);
  log("name fetched");
  return "boucle";
}

function* worker(name: string, steps: number): Coro<void> {
  try {
    for (let i = 1; i <= steps; i++) {
      yield* sleep(10);
      log(`${name} step ${i}`);
    }
  } finally {
    log(`${name} finally`);
  }
}

function* failAfter(ms: number): Coro<never> {
  yield* sleep(ms);
  log("failing");
  throw new Error("disk full");
}

function* main(): Coro<void> {
  // gather: both run at once; 30 ms in all, not 10+10+10+25.
  const [count, name] = yield* gather(countTo(3), fetchName());
  log(`gather -> [${count}, ${JSON.stringify(name)}] (typed [number, string])`);

  // A TaskGroup that ends well: waits for every child.
  yield* taskGroup(function* (group) {
    group.createTask(worker("a", 2));
    group.createTask(worker("b", 1));
  });
  log("group done");

  // A TaskGroup where a child fails: its sibling is cancelled.
  try {
    yield* taskGroup(function* (group) {
      group.createTask(worker("long", 5));
      group.createTask(failAfter(25));
    });
  } catch (error) {
    if (!(error instanceof TaskGroupError)) throw error;
    log(`TaskGroupError: ${error.errors.map((e: Error) => e.message).join(", ")}`);
  }
}

await run(main(), { clock: "virtual" });
