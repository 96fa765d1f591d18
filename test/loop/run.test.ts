import { describe, expect, it } from "vitest";
import { createTask, getRunningLoop, run, sleep, type Coro, type EventLoop } from "../../src/loop/index.ts";
import { guardedSleep, Log } from "./helpers.ts";

describe("run", () => {
  it("resolves with main's value", async () => {
    await expect(
      run(
        (function* () {
          yield* sleep(1);
          return "main value";
        })(),
      ),
    ).resolves.toBe("main value");
  });

  it("rejects with main's error", async () => {
    const error = new Error("main failed");
    await expect(
      run(
        (function* (): Coro<void> {
          yield* sleep(1);
          throw error;
        })(),
      ),
    ).rejects.toBe(error);
  });

  it("cancels the tasks left over (their finally runs), then closes the loop", async () => {
    const log = new Log();
    let loop: EventLoop | null = null;
    const value = await run(
      (function* () {
        loop = getRunningLoop();
        createTask(guardedSleep(log, "leftover", 3_600_000));
        createTask(
          (function* (): Coro<void> {
            try {
              yield* sleep(3_600_000);
            } finally {
              yield* sleep(5); // slow to cancel: run waits for it
              log.push("slow leftover done");
            }
          })(),
        );
        yield* sleep(10);
        log.push("main returns");
        return 1;
      })(),
      { clock: "virtual" },
    );
    expect(value).toBe(1);
    expect(log.entries).toEqual(["leftover:start", "main returns", "leftover:finally", "slow leftover done"]);
    const used = loop as EventLoop | null;
    expect(used?.isClosed()).toBe(true);
    expect(used?.allTasks()).toHaveLength(0);
    expect(used?.time()).toBe(15);
  });

  it("cancels the leftovers and closes the loop when main fails too", async () => {
    const log = new Log();
    let loop: EventLoop | null = null;
    await expect(
      run(
        (function* (): Coro<void> {
          loop = getRunningLoop();
          createTask(guardedSleep(log, "leftover", 1000));
          yield* sleep(1);
          throw new Error("main failed");
        })(),
        { clock: "virtual" },
      ),
    ).rejects.toThrow("main failed");
    expect(log.entries).toEqual(["leftover:start", "leftover:finally"]);
    expect((loop as EventLoop | null)?.isClosed()).toBe(true);
  });

  it("runs each call on a fresh loop", async () => {
    const loops: EventLoop[] = [];
    function* main(): Coro<void> {
      loops.push(getRunningLoop());
      yield* sleep(0);
    }
    await run(main());
    await run(main());
    expect(loops).toHaveLength(2);
    expect(loops[0]).not.toBe(loops[1]);
  });

  it("passes its options to the loop: an hour on the virtual clock takes no real hour", async () => {
    const started = performance.now();
    await run(sleep(3_600_000), { clock: "virtual" });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
