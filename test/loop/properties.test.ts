/**
 * Property tests of the scheduler's two data structures, against the
 * obvious sort-based model: whatever the sequence of pushes, pops and
 * cancellations, the order out is (priority, arrival) for the ready queue
 * and (deadline, arrival) for the timer heap.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TimerHandle, type HandleOwner } from "../../src/loop/handle.ts";
import { ReadyQueue, RUN, type Runnable } from "../../src/loop/ready-queue.ts";
import { TimerHeap, type TimerEntry } from "../../src/loop/timer-heap.ts";
import { EventLoop } from "../../src/loop/index.ts";

class Item implements Runnable {
  constructor(
    readonly priority: number,
    readonly arrival: number,
  ) {}
  [RUN](): void {}
}

describe("ReadyQueue", () => {
  it("gives items back by priority, FIFO within a priority, through any mix of pushes and shifts", () => {
    // Why up to 40 levels: levels come and go as they empty, and idle ones are dropped past 16.
    const op = fc.oneof(fc.record({ push: fc.integer({ min: -20, max: 20 }) }), fc.constant({ shift: true as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new ReadyQueue();
        const model: Item[] = [];
        let arrival = 0;
        for (const o of ops) {
          if ("push" in o) {
            const item = new Item(o.push, arrival++);
            queue.push(item, item.priority);
            model.push(item);
          } else {
            model.sort((a, b) => a.priority - b.priority || a.arrival - b.arrival);
            expect(queue.shift()).toBe(model.shift());
          }
          expect(queue.size).toBe(model.length);
        }
      }),
    );
  });
});

describe("TimerHeap", () => {
  const owner: HandleOwner = { callException() {}, timerCancelled() {} };

  it("pops live timers in deadline order, ties FIFO, skipping cancelled ones", () => {
    // Why deadlines 0..3 only: most timers tie, so FIFO on ties (the seq) is what is tested.
    const op = fc.oneof(
      { arbitrary: fc.record({ add: fc.integer({ min: 0, max: 3 }) }), weight: 4 },
      { arbitrary: fc.record({ cancel: fc.nat() }), weight: 1 },
      { arbitrary: fc.record({ popAt: fc.integer({ min: 0, max: 4 }) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const heap = new TimerHeap();
        const live: TimerHandle[] = [];
        for (const o of ops) {
          if ("add" in o) {
            const timer = new TimerHandle(o.add, () => {}, [], owner);
            heap.push(timer);
            live.push(timer);
          } else if ("cancel" in o) {
            if (live.length === 0) continue;
            const [timer] = live.splice(o.cancel % live.length, 1);
            timer!.cancel();
            heap.noteCancelled();
          } else {
            live.sort((a, b) => a.when - b.when || a.seq - b.seq);
            const due = live.filter((t) => t.when <= o.popAt);
            for (const expected of due) expect(heap.popDue(o.popAt)).toBe(expected);
            expect(heap.popDue(o.popAt)).toBeUndefined();
            live.splice(0, due.length);
          }
          expect(heap.size).toBe(live.length);
        }
      }),
    );
  });
});

describe("TimerHandle", () => {
  it("tells its owner once when cancelled (what lets the loop compact its heap), however often cancel() is called", () => {
    const cancelled: TimerEntry[] = [];
    const owner: HandleOwner = { callException() {}, timerCancelled: (timer) => void cancelled.push(timer) };
    const timer = new TimerHandle(5, () => {}, [], owner);
    timer.cancel();
    timer.cancel();
    expect(cancelled).toEqual([timer]);
    expect(timer.cancelled()).toBe(true);
  });

  it("the loop compacts a heap that is mostly cancelled timers", () => {
    const loop = new EventLoop({ clock: "virtual" });
    const timers = Array.from({ length: 1_000 }, (_, i) => loop.callLater(10 + i, () => {}));
    for (const timer of timers.slice(0, 900)) timer.cancel();
    expect(loop.timerHeapLength()).toBeLessThan(1_000); // Rebuilt without the cancelled ones.
    expect(loop.timerHeapLength()).toBeGreaterThanOrEqual(100);
    loop.close();
  });
});
