/**
 * Chapter step 6: task priorities (the chapter's "priorisation des tâches",
 * which asyncio lacks).
 *
 * Every task has an integer `priority`: lower runs first, default 0, and it
 * may change while the task runs (it applies from its next wake-up). Among
 * the tasks ready at the start of an iteration, the more urgent run first;
 * within a level, FIFO.
 *
 * No starvation: an iteration runs only what was ready when it began, and a
 * task that gives the turn back is queued for the *next* iteration. So an
 * urgent task spinning on `release()` runs once per iteration, and a ready
 * low-priority task still runs in each of them.
 *
 * Run: npx tsx examples/06-priorities.ts
 */
import { createTask, currentTask, gather, release, run, type Coro } from "../src/loop/index.ts";

/** Prints each step, giving the turn back between steps. */
function* worker(name: string, steps: number): Coro<void> {
  for (let i = 1; i <= steps; i++) {
    console.log(`  ${name} step ${i}`);
    yield* release();
  }
}

/** Most urgent of all: marks the start of each iteration. */
function* ticker(turns: number): Coro<void> {
  for (let turn = 1; turn <= turns; turn++) {
    console.log(`turn ${turn}`);
    yield* release();
  }
}

/** Starts low, becomes the most urgent worker after its second step. */
function* promoted(name: string, steps: number): Coro<void> {
  for (let i = 1; i <= steps; i++) {
    console.log(`  ${name} step ${i}`);
    if (i === 2) {
      currentTask()!.priority = -5;
      console.log(`  ${name} is now priority -5`);
    }
    yield* release();
  }
}

function* urgentSpinner(stop: { done: boolean }): Coro<number> {
  let spins = 0;
  while (!stop.done) {
    spins++;
    yield* release();
  }
  return spins;
}

function* lowWorker(stop: { done: boolean }): Coro<void> {
  for (let i = 1; i <= 3; i++) {
    console.log(`  low step ${i}`);
    yield* release();
  }
  stop.done = true;
}

function* main(): Coro<void> {
  console.log("Order within a turn (created low first, urgent last):");
  // Created in the reverse order of urgency, to show the queue reorders them.
  const tasks = [
    createTask(worker("low (10)", 3), { priority: 10 }),
    createTask(promoted("promoted (5)", 3), { priority: 5 }),
    createTask(worker("normal (0)", 3)),
    createTask(worker("urgent (-1)", 3), { priority: -1 }),
    createTask(ticker(3), { priority: -100 }),
  ];
  yield* gather(...tasks);

  console.log("No starvation: an urgent task spins on release() until a low one is done:");
  const stop = { done: false };
  const spinner = createTask(urgentSpinner(stop), { priority: -10 });
  const low = createTask(lowWorker(stop), { priority: 10 });
  yield* low;
  const spins = yield* spinner;
  console.log(`the low task finished while the urgent one spun ${spins} times`);
}

await run(main());
