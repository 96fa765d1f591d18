/**
 * Type tests: `tsc --noEmit` (run by `npm test`) checks the `expectTypeOf`
 * assertions and that every `@ts-expect-error` line really is an error. The
 * `it` blocks also run the same code, so the runtime agrees with the types.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  createTask,
  fromPromise,
  gather,
  Queue,
  run,
  sleep,
  taskGroup,
  timeout,
  waitFor,
  type Coro,
  type Future,
  type Task,
} from "../../src/loop/index.ts";
import { runVirtual, virtualLoop } from "./helpers.ts";

function* numCoro(): Coro<number> {
  yield* sleep(1);
  return 1;
}

function* strCoro(): Coro<string> {
  yield* sleep(2);
  return "s";
}

describe("types", () => {
  it("yield* future gives the future's type, and not another", async () => {
    const { value } = await runVirtual(function* (loop) {
      const fut = loop.createFuture<number>();
      fut.setResult(3);
      const n: number = yield* fut;
      expectTypeOf(yield* fut).toEqualTypeOf<number>();
      const numberFuture: Future<number> = fut;
      // @ts-expect-error a Future<number> does not give a string
      const s: string = yield* numberFuture;
      return [n, s];
    });
    expect(value).toEqual([3, 3]);
  });

  it("gather of a number coroutine and a string coroutine is [number, string]", async () => {
    const { value } = await runVirtual(function* () {
      const [a, b] = yield* gather(numCoro(), strCoro());
      expectTypeOf(a).toEqualTypeOf<number>();
      expectTypeOf(b).toEqualTypeOf<string>();
      expectTypeOf(yield* gather(numCoro(), strCoro())).toEqualTypeOf<[number, string]>();
      // @ts-expect-error the first result is a number, not a string
      const wrong: string = (yield* gather(numCoro(), strCoro()))[0];
      return [a, b, wrong];
    });
    expect(value).toEqual([1, "s", 1]);
  });

  it("a forgotten * (yield child()) is a compile error, and a TypeError at run time", async () => {
    function* forgetful(): Coro<number> {
      try {
        // @ts-expect-error a coroutine must be awaited with yield*, not yielded
        yield numCoro();
      } catch (error) {
        return error instanceof TypeError ? -1 : 0;
      }
      return 0;
    }
    const { value } = await runVirtual(() => forgetful());
    expect(value).toBe(-1);
  });

  it("a coroutine whose yields are inferred is refused by createTask when it forgets a *", async () => {
    const { value } = await runVirtual(function* () {
      const task = createTask(
        // @ts-expect-error the inferred yield type (a generator) is not a Yieldable
        (function* () {
          try {
            yield numCoro();
          } catch {
            return "refused";
          }
          return "accepted";
        })(),
      );
      return yield* task;
    });
    expect(value).toBe("refused");
  });

  it("yielding a plain value is a compile error", () => {
    function* yieldsNumber(): Coro<void> {
      // @ts-expect-error only nothing, a Future or a Promise may be yielded
      yield 42;
    }
    expect(typeof yieldsNumber).toBe("function");
  });

  it("tasks, fromPromise, timeout, waitFor, taskGroup and Queue are typed", async () => {
    const { value } = await runVirtual(function* () {
      const task = createTask(numCoro());
      expectTypeOf(task).toEqualTypeOf<Task<number>>();
      const fromTask = yield* task;
      expectTypeOf(fromTask).toEqualTypeOf<number>();

      const fromP = yield* fromPromise(Promise.resolve("p"));
      expectTypeOf(fromP).toEqualTypeOf<string>();

      const timed = yield* timeout(100, strCoro());
      expectTypeOf(timed).toEqualTypeOf<string>();

      const waited = yield* waitFor(numCoro(), 100);
      expectTypeOf(waited).toEqualTypeOf<number>();

      const grouped = yield* taskGroup(function* (g) {
        const child = g.createTask(strCoro());
        expectTypeOf(child).toEqualTypeOf<Task<string>>();
        return (yield* child).length;
      });
      expectTypeOf(grouped).toEqualTypeOf<number>();

      const queue = new Queue<boolean>();
      queue.putNowait(true);
      const item = yield* queue.get();
      expectTypeOf(item).toEqualTypeOf<boolean>();
      // @ts-expect-error a Queue<boolean> takes booleans
      queue.putNowait("nope");

      return [fromTask, fromP, timed, waited, grouped, item];
    });
    expect(value).toEqual([1, "p", "s", 1, 1, true]);
  });

  it("runUntilComplete and run return a typed Promise", async () => {
    const promise = run(strCoro(), { clock: "virtual" });
    expectTypeOf(promise).toEqualTypeOf<Promise<string>>();
    expect(await promise).toBe("s");
    const { loop } = virtualLoop();
    const completed = loop.runUntilComplete(numCoro());
    expectTypeOf(completed).toEqualTypeOf<Promise<number>>();
    expect(await completed).toBe(1);
    loop.close();
  });
});
