import { afterEach, describe, expect, it, vi } from "vitest";
import { EventLoop, Queue, type Coro, type SlowCallbackReport } from "../../../src/loop/index.ts";
import { busyWait } from "../helpers.ts";

function* crunchThenWait(queue: Queue<number>): Coro<number> {
  busyWait(30);
  return yield* queue.get();
}

function* crunchAndEnd(): Coro<void> {
  busyWait(30);
}

describe("slowCallbackMs names the task, where it stopped and what it parked on", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("reports the slow step's task, the future it parked on next and the generator's location", () => {
    const reports: SlowCallbackReport[] = [];
    const loop = new EventLoop({ slowCallbackMs: 20, onSlowCallback: (r) => reports.push(r) });
    const task = loop.createTask(crunchThenWait(new Queue<number>()), { name: "conn-12" });
    loop.runOnce();
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report!.what).toBe("step of Task conn-12");
    expect(report!.task).toBe("conn-12");
    expect(report!.durationMs).toBeGreaterThanOrEqual(30);
    expect(report!.parkedOn).toBe("queue get");
    expect(report!.where).toHaveLength(1);
    expect(report!.where![0]).toMatch(/^crunchThenWait \(test\/loop\/trace\/slow-step\.test\.ts:\d+:\d+\)$/);
    task.cancel();
    loop.runOnce();
    loop.close();
  });

  it("for a step that ended its task: no parked future, and the creation site when recorded", () => {
    const reports: SlowCallbackReport[] = [];
    const loop = new EventLoop({ slowCallbackMs: 20, onSlowCallback: (r) => reports.push(r), taskCreationSites: true });
    (function startsTheCruncher() {
      loop.createTask(crunchAndEnd(), { name: "cruncher" });
    })();
    loop.runOnce();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ what: "step of Task cruncher", task: "cruncher", parkedOn: null });
    expect(reports[0]!.where![0]).toMatch(/^startsTheCruncher \(test\/loop\/trace\/slow-step\.test\.ts:/);
    loop.close();
  });

  it("the default report is one stderr line saying all of it", () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const loop = new EventLoop({ slowCallbackMs: 20 });
    const task = loop.createTask(crunchThenWait(new Queue<number>()), { name: "conn-12" });
    loop.runOnce();
    vi.restoreAllMocks();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^boucle: step of Task conn-12 took \d+\.\d ms \(then parked on queue get, at crunchThenWait \(test\/loop\/trace\/slow-step\.test\.ts:\d+:\d+\)\)\n$/,
    );
    task.cancel();
    loop.runOnce();
    loop.close();
  });
});
