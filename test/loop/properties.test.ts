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
import { TimerHeap } from "../../src/loop/timer-heap.ts";

class Item implements Runnable {
  constructor(
    readonly priority: number,
    readonly arrival: number,
  ) {}
  [RUN](): void {}
}

describe("ReadyQueue", () => {
  it("gives items back by priority, FIFO within a priority, through any mix of pushes and shifts", () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: -3, max: 3 }) }), fc.constant({ shift: true as const }));
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
    const op = fc.oneof(
      fc.record({ add: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ cancel: fc.nat() }),
      fc.record({ popAt: fc.integer({ min: 0, max: 25 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const heap = new TimerHeap();
        const live: TimerHandle[] = [];
        let seq = 0;
        for (const o of ops) {
          if ("add" in o) {
            const timer = new TimerHandle(o.add, seq++, () => {}, [], owner);
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
