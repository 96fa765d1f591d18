import { describe, expect, it } from "vitest";
import {
  CancelledError,
  createTask,
  currentTask,
  sleep,
  taskGroup,
  TaskGroupError,
  timeout,
  TimeoutError,
  type Coro,
} from "../../src/loop/index.ts";
import { runVirtual, sleepThenThrow } from "./helpers.ts";

describe("cancel counting (asyncio 3.11's cancelling / uncancel)", () => {
  it("counts each cancel() of a pending task; uncancel() withdraws one and says how many are left", async () => {
    const { value } = await runVirtual(function* () {
      const task = createTask(sleep(100));
      yield* sleep(1); // The task is parked on its sleep now.
      const counts = [task.cancelling()];
      task.cancel();
      task.cancel();
      counts.push(task.cancelling(), task.uncancel(), task.uncancel(), task.uncancel());
      yield* sleep(1);
      return { counts, cancelled: task.cancelled() };
    });
    // The cancel was already delivered to the sleep's future: withdrawing the count does not undo it.
    expect(value).toEqual({ counts: [0, 2, 1, 0, 0], cancelled: true });
  });

  it("uncancel() to zero drops a cancellation not yet delivered", async () => {
    const { value } = await runVirtual(function* () {
      const task = createTask(
        (function* () {
          yield* sleep(1);
          return "ran to its end";
        })(),
      );
      yield* sleep(1); // The task is now ready (its timer fired) but has not run.
      task.cancel();
      task.uncancel();
      return yield* task;
    });
    expect(value).toBe("ran to its end");
  });

  it("regression: a timeout whose deadline passed while someone else also cancelled the task turned their cancel into TimeoutError", async () => {
    const { value } = await runVirtual(function* () {
      const worker = createTask(
        (function* (): Coro<string> {
          try {
            yield* timeout(10, sleep(1_000));
            return "finished";
          } catch (error) {
            return error instanceof TimeoutError ? "TimeoutError" : error instanceof CancelledError ? "CancelledError" : "other";
          }
        })(),
      );
      yield* sleep(10); // The timeout's timer and this wake-up are due at the same time.
      worker.cancel("shutdown");
      return yield* worker;
    });
    expect(value).toBe("CancelledError");
  });

  it("a timeout that expired alone withdraws its own cancel: the task's count is back to 0", async () => {
    const { value } = await runVirtual(function* () {
      try {
        yield* timeout(5, sleep(100));
      } catch (error) {
        return { timedOut: error instanceof TimeoutError, cancelling: currentTask()!.cancelling() };
      }
      return null;
    });
    expect(value).toEqual({ timedOut: true, cancelling: 0 });
  });

  it("a TaskGroup that cancelled its body after a child failed withdraws that cancel; an outside cancel stays counted", async () => {
    function* groupWithFailingChild(): Coro<unknown> {
      try {
        yield* taskGroup(function* (group) {
          group.createTask(sleepThenThrow(5, new Error("child failed")));
          yield* sleep(1_000);
        });
      } catch (error) {
        return { error: error instanceof TaskGroupError, cancelling: currentTask()!.cancelling() };
      }
      return null;
    }
    const { value } = await runVirtual(function* () {
      const alone = yield* createTask(groupWithFailingChild());
      const outer = createTask(groupWithFailingChild());
      yield* sleep(5);
      outer.cancel("from outside");
      return { alone, withOuterCancel: yield* outer };
    });
    expect(value).toEqual({ alone: { error: true, cancelling: 0 }, withOuterCancel: { error: true, cancelling: 1 } });
  });
});
