import { afterEach, describe, expect, it, vi } from "vitest";
import { naiveSleep, printMessages, runTask, runTasks, sleepUntil } from "../../src/loop/chapter.ts";
import { createTask, release, type Coro } from "../../src/loop/index.ts";
import { Log, virtualLoop } from "./helpers.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

function* countdown(log: Log, label: string, n: number): Coro<string> {
  for (let i = n; i > 0; i--) {
    log.push(`${label}${i}`);
    yield* release();
  }
  return `${label} done`;
}

describe("the chapter's prototypes", () => {
  it("runTask resumes one coroutine until it ends and returns its value", () => {
    const log = new Log();
    expect(runTask(countdown(log, "a", 3))).toBe("a done");
    expect(log.entries).toEqual(["a3", "a2", "a1"]);
  });

  it("runTasks runs coroutines round-robin, one step each, until all end", () => {
    const log = new Log();
    runTasks(countdown(log, "a", 3), countdown(log, "b", 1), countdown(log, "c", 2));
    expect(log.entries).toEqual(["a3", "b1", "c2", "a2", "c1", "a1"]);
  });

  it("sleepUntil busy-waits, giving the turn back, until the deadline passes", () => {
    const deadline = Date.now() + 5;
    let turns = 0;
    const coro = sleepUntil(deadline);
    while (!coro.next().done) turns++;
    expect(Date.now()).toBeGreaterThanOrEqual(deadline);
    expect(turns).toBeGreaterThan(0);
  });

  it("naiveSleep lets another coroutine run while it waits", () => {
    const log = new Log();
    runTasks(
      (function* (): Coro<void> {
        yield* naiveSleep(5);
        log.push("slept");
      })(),
      (function* (): Coro<void> {
        log.push("other ran");
      })(),
    );
    expect(log.entries).toEqual(["other ran", "slept"]);
  });
});

describe("printMessages", () => {
  it("prints foo, aaa, bbb, bar, ccc, baz on the real loop with the virtual clock, ending at 3000 ms", async () => {
    const printed: unknown[] = [];
    const consoleLog = vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      printed.push(line);
    });
    const { loop } = virtualLoop();
    await loop.runUntilComplete(
      (function* () {
        const a = createTask(printMessages("foo", "bar", "baz"));
        const b = createTask(printMessages("aaa", "bbb", "ccc", 700));
        yield* a;
        yield* b;
      })(),
    );
    expect(printed).toEqual(["foo", "aaa", "bbb", "bar", "ccc", "baz"]);
    expect(consoleLog).toHaveBeenCalledTimes(6);
    expect(loop.time()).toBe(3000);
    loop.close();
  });

  it("prints the same order under runTasks, with no loop, busy-waiting short sleeps", () => {
    const printed: unknown[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      printed.push(line);
    });
    const started = Date.now();
    runTasks(printMessages("foo", "bar", "baz", 30), printMessages("aaa", "bbb", "ccc", 21));
    expect(printed).toEqual(["foo", "aaa", "bbb", "bar", "ccc", "baz"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90); // three sleeps of 30 ms, busy-waited
  });
});
