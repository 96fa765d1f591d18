import { describe, expect, it } from "vitest";
import { CancelledError, createTask, shield, sleep, TimeoutError, waitFor } from "../../src/loop/index.ts";
import { Log, runVirtual, sleepThen, sleepThenThrow } from "./helpers.ts";

describe("shield", () => {
  it("cancelling the waiting task leaves the shielded work running to its end", async () => {
    const log = new Log();
    const { value } = await runVirtual(function* () {
      const waiter = createTask(
        (function* () {
          try {
            return yield* shield(sleepThen(log, 50, "saved", "result"));
          } catch (error) {
            log.push(error instanceof CancelledError ? "waiter cancelled" : "other");
            throw error;
          }
        })(),
      );
      yield* sleep(10);
      waiter.cancel();
      yield* sleep(100);
      return waiter.cancelled() ? "cancelled" : String(waiter);
    });
    expect(value).toBe("cancelled");
    expect(log.entries).toEqual(["waiter cancelled", "saved"]);
  });

  it("a task shared under waitFor survives one waiter's timeout and serves the next", async () => {
    const { value } = await runVirtual(function* () {
      const shared = createTask(sleepThen(new Log(), 50, "shared", 42));
      let first: unknown;
      try {
        yield* waitFor(shield(shared), 10);
      } catch (error) {
        first = error;
      }
      return { first: first instanceof TimeoutError, sharedCancelled: shared.cancelled(), second: yield* waitFor(shield(shared), 100) };
    });
    expect(value).toEqual({ first: true, sharedCancelled: false, second: 42 });
  });

  it("passes on the value, the error and the cancellation of the inner work", async () => {
    const boom = new Error("inner failed");
    const { value } = await runVirtual(function* () {
      const ok = yield* shield(sleepThen(new Log(), 1, "x", "v"));
      let error: unknown;
      try {
        yield* shield(sleepThenThrow(1, boom));
      } catch (e) {
        error = e;
      }
      const inner = createTask(sleep(100));
      const shielded = shield(inner);
      inner.cancel("inner cancelled");
      let cancelled: unknown;
      try {
        yield* shielded;
      } catch (e) {
        cancelled = e;
      }
      return { ok, error, cancelled: (cancelled as CancelledError).message };
    });
    expect(value).toEqual({ ok: "v", error: boom, cancelled: "inner cancelled" });
  });

  it("a failure after the shield was cancelled is reported, not lost", async () => {
    const boom = new Error("cleanup failed after we left");
    const { reports } = await runVirtual(function* () {
      const shielded = shield(sleepThenThrow(10, boom));
      shielded.cancel();
      yield* sleep(20);
    });
    expect(reports.map((r) => r.exception)).toEqual([boom]);
  });

  it("returns an already-done future as it is", async () => {
    const { value } = await runVirtual(function* (loop) {
      const done = loop.createFuture<number>();
      done.setResult(1);
      return shield(done) === done;
    });
    expect(value).toBe(true);
  });
});
