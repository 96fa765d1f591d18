/**
 * The chapter's steps as functions (examples/ are scripts that run when
 * imported, so the demo has its own copies, kept to the same output).
 */
import {
  createTask,
  currentTask,
  EventLoop,
  gather,
  getRunningLoop,
  printMessages,
  release,
  run,
  runTask,
  runTasks,
  sleep,
  taskGroup,
  TaskGroupError,
  type Coro,
} from "../../loop/index.ts";

export interface Step {
  title: string;
  run: () => Promise<void> | void;
}

/** The chapter's ComplexWork: Hello, one interruption, World. */
function* complexWork(): Coro<number> {
  console.log("Hello");
  yield* release(); // The chapter's `await interrupt()`.
  console.log("World");
  return 42;
}

function* simplePrint(n: number): Coro<void> {
  console.log(n);
}

function stepRunTask(): void {
  console.log(`runTask returned ${runTask(complexWork())}`);
}

function stepRunTasks(): void {
  runTasks(simplePrint(1), complexWork(), simplePrint(2), simplePrint(3));
}

function stepNaiveSleep(): void {
  // Outside a loop printMessages busy-waits; 100 and 70 ms keep the chapter's 1000:700 ratio.
  runTasks(printMessages("foo", "bar", "baz", 100), printMessages("aaa", "bbb", "ccc", 70));
}

async function stepEventLoop(): Promise<void> {
  const loop = new EventLoop({ clock: "virtual" });
  const say = (message: string): void => console.log(message);
  loop.callLater(20, say, "callLater 20 ms");
  loop.callLater(10, say, "callLater 10 ms");
  loop.callSoon(say, "callSoon A");
  loop.callSoon(say, "callSoon B");
  loop.callSoon(say, "never printed: cancelled").cancel();
  await loop.runUntilComplete(sleep(30));
  function* twoPrinters(): Coro<string> {
    const current = getRunningLoop();
    console.log(`getRunningLoop() in a task is our loop: ${current === loop}`);
    const first = current.createTask(printMessages("foo", "bar", "baz"));
    const second = current.createTask(printMessages("aaa", "bbb", "ccc", 700));
    yield* first;
    yield* second;
    return `both printers done at t=${current.time()} ms (virtual clock: no real waiting)`;
  }
  console.log(await loop.runUntilComplete(twoPrinters()));
  loop.close();
}

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

function* gatherDemo(): Coro<void> {
  const [count, name] = yield* gather(countTo(3), fetchName());
  log(`gather -> [${count}, ${JSON.stringify(name)}] (typed [number, string])`);
  yield* taskGroup(function* (group) {
    group.createTask(worker("a", 2));
    group.createTask(worker("b", 1));
  });
  log("group done");
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

function* stepWorker(name: string, steps: number): Coro<void> {
  for (let i = 1; i <= steps; i++) {
    console.log(`  ${name} step ${i}`);
    yield* release();
  }
}

function* ticker(turns: number): Coro<void> {
  for (let turn = 1; turn <= turns; turn++) {
    console.log(`turn ${turn}`);
    yield* release();
  }
}

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

function* prioritiesDemo(): Coro<void> {
  console.log("Order within a turn (created low first, urgent last):");
  yield* gather(
    createTask(stepWorker("low (10)", 3), { priority: 10 }),
    createTask(promoted("promoted (5)", 3), { priority: 5 }),
    createTask(stepWorker("normal (0)", 3)),
    createTask(stepWorker("urgent (-1)", 3), { priority: -1 }),
    createTask(ticker(3), { priority: -100 }),
  );
  console.log("No starvation: an urgent task spins on release() until a low one is done:");
  const stop = { done: false };
  const spinner = createTask(
    (function* (): Coro<number> {
      let spins = 0;
      for (; !stop.done; spins++) yield* release();
      return spins;
    })(),
    { priority: -10 },
  );
  yield* createTask(
    (function* (): Coro<void> {
      for (let i = 1; i <= 3; i++) {
        console.log(`  low step ${i}`);
        yield* release();
      }
      stop.done = true;
    })(),
    { priority: 10 },
  );
  console.log(`the low task finished while the urgent one spun ${yield* spinner} times`);
}

export const STEPS: readonly Step[] = [
  { title: "run_task: one coroutine, resumed with next() until it ends", run: stepRunTask },
  { title: "run_tasks: round-robin at each interruption", run: stepRunTasks },
  { title: "the naive sleep: busy-waiting, giving the turn back (scaled down 10x)", run: stepNaiveSleep },
  { title: "the event loop: callbacks, timers, tasks sleeping on timers", run: stepEventLoop },
  { title: "gather and TaskGroup (virtual clock)", run: () => run(gatherDemo(), { clock: "virtual" }) },
  { title: "priorities", run: () => run(prioritiesDemo()) },
];
