/** Liveness on the virtual clock: pings after silence, closes after another period, first-line bound. */
import { describe, expect, it } from "vitest";
import { Liveness, type LivenessOptions, type Silence } from "../../../src/apps/chat/liveness.ts";
import { sleep, type EventLoop } from "../../../src/loop/index.ts";
import { runVirtual } from "../../loop/helpers.ts";

function watch(loop: EventLoop, options: LivenessOptions): { liveness: Liveness; log: string[] } {
  const log: string[] = [];
  const liveness = new Liveness(loop, { token: () => "t1", ...options }, {
    ping: (token) => log.push(`${loop.time()} ping ${token}`),
    silent: (why: Silence) => log.push(`${loop.time()} ${why}`),
  });
  return { liveness, log };
}

describe("Liveness", () => {
  it("pings after idleMs of silence and closes after another idleMs", async () => {
    const { value } = await runVirtual(function* (loop) {
      const { log } = watch(loop, { idleMs: 1000, firstLineMs: 0 });
      yield* sleep(5000);
      return log;
    });
    expect(value).toEqual(["1000 ping t1", "2000 ping timeout"]);
  });

  it("counts any line as alive: a line before the ping delays it, a line after the ping answers it", async () => {
    const { value } = await runVirtual(function* (loop) {
      const { liveness, log } = watch(loop, { idleMs: 1000, firstLineMs: 0 });
      yield* sleep(700);
      liveness.alive(); // The ping moves to 1700.
      yield* sleep(1300); // 2000: pinged at 1700.
      liveness.alive(); // Answered: next ping at 3000, closed at 4000 if silent.
      yield* sleep(3000);
      liveness.stop();
      return log;
    });
    expect(value).toEqual(["1700 ping t1", "3000 ping t1", "4000 ping timeout"]);
  });

  it("closes a connection that sent no complete line within firstLineMs, unless one came", async () => {
    const { value } = await runVirtual(function* (loop) {
      const silent = watch(loop, { idleMs: 10_000, firstLineMs: 500 });
      const talker = watch(loop, { idleMs: 10_000, firstLineMs: 500 });
      yield* sleep(499);
      talker.liveness.alive();
      yield* sleep(5000);
      talker.liveness.stop();
      return [silent.log, talker.log];
    });
    expect(value).toEqual([["500 no line"], []]);
  });

  it("leaves no timer behind once stopped", async () => {
    const { value } = await runVirtual(function* (loop) {
      const { liveness, log } = watch(loop, { idleMs: 1000, firstLineMs: 500 });
      liveness.stop();
      yield* sleep(5000);
      return log;
    });
    expect(value).toEqual([]);
  });
});
