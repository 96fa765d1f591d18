/**
 * The same-order check of `loadtest --targets`: receivers that saw one
 * order pass, a receiver that saw two messages swapped is found.
 */
import { describe, expect, it } from "vitest";
import { OrderChecker } from "../../../src/apps/loadtest/order-checker.ts";

/** Deliver the room order `order` ([sender, seq] pairs) to every receiver but the sender, swapping at `swapAt` for `victim`. */
function deliver(checker: OrderChecker, receivers: number, order: [number, number][], victim = -1, swapAt = -1): void {
  for (let r = 0; r < receivers; r++) {
    const mine = order.filter(([sender]) => sender !== r);
    if (r === victim) [mine[swapAt], mine[swapAt + 1]] = [mine[swapAt + 1]!, mine[swapAt]!];
    for (const [sender, seq] of mine) checker.record(r, sender, seq);
  }
}

describe("OrderChecker", () => {
  const order: [number, number][] = [];
  for (let seq = 0; seq < 10; seq++) for (let sender = 0; sender < 5; sender++) order.push([sender, seq]);

  it("passes receivers that all saw one order", () => {
    const checker = new OrderChecker(5);
    deliver(checker, 5, order);
    expect(checker.differing([0, 1, 2, 3, 4])).toEqual([]);
  });

  it("finds the receiver that saw two other senders' messages swapped", () => {
    const checker = new OrderChecker(5);
    deliver(checker, 5, order, 3, 7);
    expect(checker.differing([0, 1, 2, 3, 4])).toEqual([3]);
  });

  it("fails the run too when the odd one out is a reference receiver", () => {
    const checker = new OrderChecker(5);
    deliver(checker, 5, order, 0, 7);
    expect(checker.differing([0, 1, 2, 3, 4])).toContain(0);
  });
});
