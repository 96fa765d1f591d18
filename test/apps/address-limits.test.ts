/** AddressLimits on a hand-moved clock: counts per group, the connect bucket, forgetting idle groups. */
import { describe, expect, it } from "vitest";
import { AddressLimits } from "../../src/apps/chat-server/address-limits.ts";

function limits(maxPerAddress: number, connectsPerSec: number, connectBurst: number) {
  const clock = { now: 0 };
  const l = new AddressLimits({ maxPerAddress, connectsPerSec, connectBurst, now: () => clock.now });
  return { l, clock };
}

describe("AddressLimits", () => {
  it("counts connections per group and refuses past the maximum until one is released", () => {
    const { l } = limits(2, 0, 1);
    expect([l.admit("a"), l.admit("a"), l.admit("a"), l.admit("b")]).toEqual([undefined, undefined, "too many", undefined]);
    l.release("a");
    expect(l.admit("a")).toBeUndefined();
    expect(l.connections("a")).toBe(2);
  });

  it("throttles connects with a bucket refilled on the clock", () => {
    const { l, clock } = limits(0, 2, 3);
    const tries = () => Array.from({ length: 4 }, () => l.admit("a"));
    expect(tries()).toEqual([undefined, undefined, undefined, "too fast"]);
    clock.now = 499;
    expect(l.admit("a")).toBe("too fast");
    clock.now = 1000; // Two tokens back at 2 per second.
    expect([l.admit("a"), l.admit("a"), l.admit("a")]).toEqual([undefined, undefined, "too fast"]);
  });

  it("forgets groups with no connection once their bucket is full again", () => {
    const { l, clock } = limits(10, 1, 2);
    for (let i = 0; i < 1000; i++) l.admit(`x${i}`);
    for (let i = 0; i < 1000; i++) l.release(`x${i}`);
    expect(l.size).toBe(1000);
    clock.now = 2000;
    for (let i = 0; i < 24; i++) l.admit("kept");
    expect(l.size).toBe(1);
  });
});
