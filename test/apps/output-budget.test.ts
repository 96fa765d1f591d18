import { describe, expect, it } from "vitest";
import { OutputBudget, type QueuedOutput } from "../../src/apps/chat-server/output-budget.ts";

class Queue implements QueuedOutput {
  evicted = false;
  measured = 0;
  constructor(public bytes: number) {}
  queuedBytes(): number {
    this.measured++;
    return this.evicted ? 0 : this.bytes;
  }
  evict(): void {
    this.evicted = true;
  }
}

describe("OutputBudget", () => {
  it("measures nothing while the estimate stays under the budget", () => {
    const budget = new OutputBudget(1000);
    const q = new Queue(900);
    budget.add(q);
    budget.charge(900);
    expect(q.measured).toBe(0);
  });

  it("evicts the largest queues first, until the rest fit under the low-water mark", () => {
    const budget = new OutputBudget(1000);
    const queues = [100, 500, 50, 400, 300].map((n) => new Queue(n));
    for (const q of queues) budget.add(q);
    budget.charge(1350);
    expect(queues.map((q) => q.evicted)).toEqual([false, true, false, false, false]);
    expect(budget.evicted).toBe(1);
    expect(budget.sweep()).toBe(850); // 1350 - 500, under 1000 * LOW_WATER.
  });

  it("lowers its estimate to what is really queued when the peers took their output", () => {
    const budget = new OutputBudget(1000);
    const q = new Queue(0);
    budget.add(q);
    budget.charge(5000); // Written, and already drained: nothing to evict.
    expect(q.evicted).toBe(false);
    expect(q.measured).toBe(1);
    budget.charge(999); // Under the budget again: no new sweep.
    expect(q.measured).toBe(1);
  });

  it("forgets a client that is gone", () => {
    const budget = new OutputBudget(100);
    const q = new Queue(1000);
    budget.add(q);
    budget.delete(q);
    budget.charge(1000);
    expect(q.measured).toBe(0);
    expect(q.evicted).toBe(false);
  });
});

describe("OutputBudget sweeps", () => {
  it("leave at most LOW_WATER queued, so the next sweep needs a tenth of the budget written", () => {
    const budget = new OutputBudget(1000);
    const queues = [400, 300, 250].map((n) => new Queue(n)); // 950: under the budget, over 90%.
    for (const q of queues) budget.add(q);
    budget.charge(1001);
    expect(queues.map((q) => q.evicted)).toEqual([true, false, false]);
    const sweeps = queues[1]!.measured;
    budget.charge(1000 - 550 - 1); // Estimate 999: no sweep.
    expect(queues[1]!.measured).toBe(sweeps);
  });
});
