/**
 * Small contracts of the loop's API that mutation testing showed no test
 * held: the words of each error (a user reads them), listener order, a
 * Future's and a Handle's names, a TaskGroup used after its end.
 */
import { describe, expect, it } from "vitest";
import {
  BoundedSemaphore,
  createTask,
  EventLoop,
  Future,
  Lock,
  Queue,
  Semaphore,
  sleep,
  Task,
  taskGroup,
  timeout,
  wait,
  type Coro,
  type TaskGroup,
} from "../../src/loop/index.ts";
import { TaskGroup as TaskGroupClass } from "../../src/loop/task-group.ts";
import { recordingLoop, runVirtual, sleepThenThrow } from "./helpers.ts";

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return "(no error)";
}

describe("error messages say what went wrong", () => {
  it("Future and Task", () => {
    const { loop } = recordingLoop();
    const future = new Future<number>(loop);
    expect(messageOf(() => future.result())).toBe("<Future pending>: result is not set yet");
    expect(messageOf(() => future.exception())).toBe("<Future pending>: exception is not set yet");
    future.setResult(1);
    expect(messageOf(() => future.setResult(2))).toBe("<Future finished>: already done");
    const task = new Task(sleep(1), { loop, name: "t" });
    expect(messageOf(() => task.setResult())).toBe("a Task's result is set by its coroutine");
    expect(messageOf(() => task.setException())).toBe("a Task's error is set by its coroutine");
    expect(messageOf(() => new Task({ next() {} } as unknown as Coro<void>, { loop }))).toMatch(/a Task needs a generator/);
    expect(messageOf(() => new Task(undefined as unknown as Coro<void>, { loop }))).toMatch(/a Task needs a generator/);
    task.cancel();
    loop.close();
  });

  it("sync primitives", async () => {
    await runVirtual(function* () {
      expect(messageOf(() => new Semaphore(-1))).toBe("a Semaphore's value must be an integer >= 0");
      expect(messageOf(() => new Semaphore(0))).toBe("(no error)");
      expect(messageOf(() => new BoundedSemaphore(1).release())).toBe("BoundedSemaphore released too many times");
      expect(messageOf(() => new Lock().release())).toBe("release() of an unlocked Lock");
      const queue = new Queue<number>(1);
      queue.putNowait(1);
      expect(messageOf(() => queue.putNowait(2))).toBe("queue full (1 items)");
      queue.getNowait();
      expect(messageOf(() => queue.getNowait())).toBe("queue empty");
      queue.taskDone();
      expect(messageOf(() => queue.taskDone())).toBe("taskDone() called more times than there were items");
      yield* sleep(0);
    });
  });

  it("timeout, wait and TaskGroup", async () => {
    const { value } = await runVirtual(function* () {
      const messages: string[] = [];
      try {
        yield* timeout(5, sleep(100));
      } catch (error) {
        messages.push((error as Error).message, ((error as Error).cause as Error).message);
      }
      try {
        yield* wait([]);
      } catch (error) {
        messages.push((error as Error).message);
      }
      return messages;
    });
    expect(value).toEqual(["timed out after 5 ms", "timed out after 5 ms", "wait() needs at least one awaitable"]);
    const loop = new EventLoop();
    expect(messageOf(() => new TaskGroupClass())).toBe("a TaskGroup must be created inside a task");
    expect(messageOf(() => timeout(1, sleep(1)).next())).toBe("timeout() must run inside a task");
    loop.close();
  });
});

describe("names", () => {
  it("a Future says its state; a Task its name", () => {
    const { loop } = recordingLoop();
    const states = [new Future(loop), new Future(loop), new Future(loop), new Future(loop)];
    states[1]!.setResult(1);
    states[2]!.setException(new Error("x"));
    states[2]!.exception();
    states[3]!.cancel();
    expect(states.map(String)).toEqual(["<Future pending>", "<Future finished>", "<Future failed>", "<Future cancelled>"]);
    const task = new Task(sleep(1), { loop, name: "worker" });
    expect(String(task)).toBe("<Task worker pending>");
    task.cancel();
    loop.close();
  });

  it("a Handle says its callback and whether it was cancelled; an error in it names it", () => {
    const { loop, reports } = recordingLoop();
    function tick(): void {
      throw new Error("tick failed");
    }
    const handle = loop.callSoon(tick);
    expect(String(handle)).toBe("<Handle tick>");
    loop.runOnce();
    expect(reports.map((r) => r.message)).toEqual(["exception in callback tick"]);
    const anonymous = loop.callSoon(() => {});
    anonymous.cancel();
    expect(String(anonymous)).toBe("<Handle <anonymous> cancelled>");
    loop.close();
  });
});

describe("Future listeners", () => {
  it("every callback runs, in the order added, even after the first was removed", () => {
    const { loop } = recordingLoop();
    const future = new Future<number>(loop);
    const order: string[] = [];
    const a = (): void => void order.push("a");
    future.addDoneCallback(a);
    future.addDoneCallback(() => order.push("b"));
    future.removeDoneCallback(a);
    future.addDoneCallback(() => order.push("c"));
    future.addDoneCallback(() => order.push("d"));
    future.setResult(1);
    loop.runOnce();
    expect(order).toEqual(["b", "c", "d"]);
    loop.close();
  });
});

describe("TaskGroup after its end", () => {
  it("refuses new children once finished, and while shutting down after a failure; reports nothing else", async () => {
    const { value, reports } = await runVirtual(function* () {
      let group!: TaskGroup;
      yield* taskGroup(function* (g) {
        group = g;
        g.createTask(sleep(1));
        g.createTask(sleep(2));
      });
      const afterEnd = messageOf(() => group.createTask(sleep(1)));
      let whileAborting = "";
      try {
        yield* taskGroup(function* (g) {
          g.createTask(sleepThenThrow(1, new Error("child failed")));
          try {
            yield* sleep(100);
          } finally {
            whileAborting = messageOf(() => g.createTask(sleep(1)));
          }
        });
      } catch {
        // The TaskGroupError is not what this test is about.
      }
      return { afterEnd, whileAborting };
    });
    expect(value).toEqual({ afterEnd: "this TaskGroup is finished", whileAborting: "this TaskGroup is shutting down after a failure" });
    expect(reports).toEqual([]);
  });

  it("many children finishing in the same iteration settle the group once, with no report", async () => {
    const { reports } = await runVirtual(function* () {
      yield* taskGroup(function* (g) {
        for (let i = 0; i < 5; i++) g.createTask(sleep(3));
        yield* sleep(1);
      });
      createTask(sleep(0));
    });
    expect(reports).toEqual([]);
  });
});
