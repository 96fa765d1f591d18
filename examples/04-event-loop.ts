/**
 * Chapter step 4: a real event loop class.
 *
 * The EventLoop schedules callbacks (`callSoon`: next iteration, FIFO;
 * `callLater`: after a delay, in deadline order) and tasks (generators it
 * resumes). `runUntilComplete` runs it until a coroutine is done and gives
 * back its result: the only Promise a user sees. A task reaches its loop
 * with `getRunningLoop()` (the chapter's get_current_loop).
 *
 * The same printMessages as in 03-naive-sleep.ts, but on a running loop it
 * sleeps on the loop's timers: between two messages the task is parked and
 * the process is idle (the loop arms one Node timer and waits), so the ~3 s
 * cost almost no CPU.
 *
 * Run: npx tsx examples/04-event-loop.ts
 */
import { printMessages } from "../src/loop/chapter.ts";
import { EventLoop, getRunningLoop, sleep, type Coro } from "../src/loop/index.ts";

function say(message: string): void {
  console.log(message);
}

async function main(): Promise<void> {
  const loop = new EventLoop();

  // 1. Callbacks. Nothing runs until the loop does.
  loop.callLater(20, say, "callLater 20 ms");
  loop.callLater(10, say, "callLater 10 ms");
  loop.callSoon(say, "callSoon A");
  loop.callSoon(say, "callSoon B");
  const cancelled = loop.callSoon(say, "never printed: cancelled");
  cancelled.cancel();
  await loop.runUntilComplete(sleep(30));

  // 2. Tasks sleeping on timers, and the loop seen from inside a task.
  function* twoPrinters(): Coro<string> {
    const current = getRunningLoop();
    console.log(`getRunningLoop() in a task is our loop: ${current === loop}`);
    const first = current.createTask(printMessages("foo", "bar", "baz"));
    const second = current.createTask(printMessages("aaa", "bbb", "ccc", 700));
    yield* first;
    yield* second;
    return "both printers done";
  }

  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  console.log(await loop.runUntilComplete(twoPrinters()));
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Why a generous bound: the naive version uses ~100% of the wall time.
  console.log(cpuMs < wallMs / 2 ? "CPU mostly idle while the tasks slept" : `CPU busy: ${cpuMs.toFixed(0)} ms of ${wallMs.toFixed(0)} ms`);

  loop.close();
}

await main();
