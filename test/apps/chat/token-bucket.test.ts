import { describe, expect, it } from "vitest";
import { EventLoop, LoopStateError, sleep } from "../../../src/loop/index.ts";
import {
  DEFAULT_BURST,
  DEFAULT_RATE_PER_SEC,
  TokenBucket,
} from "../../../src/apps/chat/token-bucket.ts";

function clock(start = 0) {
  const c = { t: start, now: () => c.t };
  return c;
}

function takeAll(bucket: TokenBucket, limit = 10_000): number {
  let n = 0;
  while (n < limit && bucket.take()) n++;
  return n;
}

describe("TokenBucket", () => {
  it("allows a burst, then refuses", () => {
    const c = clock();
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5, now: c.now });
    expect(takeAll(bucket)).toBe(5);
    expect(bucket.take()).toBe(false);
  });

  it("refills at the given rate", () => {
    const c = clock();
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5, now: c.now });
    takeAll(bucket);
    c.t += 99;
    expect(bucket.take()).toBe(false);
    c.t += 1;
    expect(bucket.take()).toBe(true);
    c.t += 300;
    expect(takeAll(bucket)).toBe(3);
  });

  it("never holds more than the burst", () => {
    const c = clock();
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5, now: c.now });
    c.t += 3_600_000;
    expect(takeAll(bucket)).toBe(5);
  });

  it("survives a clock that steps back", () => {
    const c = clock(1000);
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 2, now: c.now });
    takeAll(bucket);
    c.t = 0;
    expect(bucket.take()).toBe(false);
    c.t = 100;
    expect(bucket.take()).toBe(true);
  });

  it("defaults to 20 lines/s sustained with a burst of 100", () => {
    expect(DEFAULT_RATE_PER_SEC).toBe(20);
    expect(DEFAULT_BURST).toBe(100);
    const c = clock();
    const bucket = new TokenBucket({ now: c.now });
    expect(takeAll(bucket)).toBe(100);
    c.t += 1000;
    expect(takeAll(bucket)).toBe(20);
  });

  it("never throttles a fast human: 5 lines a second for ten minutes", () => {
    const c = clock();
    const bucket = new TokenBucket({ now: c.now });
    for (let i = 0; i < 3000; i++, c.t += 200) expect(bucket.take()).toBe(true);
  });

  it("runs on the running loop's clock by default: a virtual loop's sleep refills it", async () => {
    const loop = new EventLoop({ clock: "virtual" });
    const counts = await loop.runUntilComplete(
      (function* () {
        const bucket = new TokenBucket({ ratePerSec: 10, burst: 5 });
        const first = takeAll(bucket);
        yield* sleep(1_000); // Virtual: no real time passes, only the loop's clock moves.
        return [first, takeAll(bucket)];
      })(),
    );
    loop.close();
    expect(counts).toEqual([5, 5]);
  });

  it("outside a running loop, needs an explicit clock", () => {
    expect(() => new TokenBucket()).toThrow(LoopStateError);
  });
});

describe("TokenBucket.charge", () => {
  it("puts the bucket into debt, refusing takes until it is paid back", () => {
    const c = clock();
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5, now: c.now });
    bucket.charge(8); // 5 - 8 = -3
    expect(bucket.take()).toBe(false);
    c.t += 399; // -3 + 3.99
    expect(bucket.take()).toBe(false);
    c.t += 1;
    expect(bucket.take()).toBe(true);
  });

  it("never owes more than one burst", () => {
    const c = clock();
    const bucket = new TokenBucket({ ratePerSec: 10, burst: 5, now: c.now });
    bucket.charge(1_000_000);
    c.t += 1000; // -5 + 10
    expect(takeAll(bucket)).toBe(5);
  });
});
