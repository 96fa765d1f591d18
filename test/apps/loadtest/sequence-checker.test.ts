import { describe, expect, it } from "vitest";
import { SequenceChecker } from "../../../src/apps/loadtest/sequence-checker.ts";
import type { Arrival } from "../../../src/apps/loadtest/sequence-checker.ts";

const N = 10_000;

function run(checker: SequenceChecker, seqs: number[], receiver = 1, sender = 0): Arrival[] {
  return seqs.map((seq) => checker.check(receiver, sender, seq));
}

function inOrder(): number[] {
  return Array.from({ length: N }, (_, i) => i);
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("SequenceChecker", () => {
  it("accepts 10 000 messages in order with nothing lost", () => {
    const checker = new SequenceChecker(2, 2);
    expect(run(checker, inOrder()).every((a) => a === "ok")).toBe(true);
    expect([checker.distinct, checker.duplicated, checker.reordered, checker.lost(N)]).toEqual([N, 0, 0, 0]);
  });

  it("detects one dropped message among 10 000", () => {
    const checker = new SequenceChecker(2, 2);
    const arrivals = run(checker, inOrder().filter((seq) => seq !== 4321));
    expect(arrivals.every((a) => a === "ok")).toBe(true);
    expect([checker.lost(N), checker.duplicated, checker.reordered]).toEqual([1, 0, 0]);
  });

  it("detects one duplicated message among 10 000", () => {
    const checker = new SequenceChecker(2, 2);
    const seqs = inOrder();
    seqs.splice(5000, 0, 4990);
    const arrivals = run(checker, seqs);
    expect(arrivals[5000]).toBe("duplicate");
    expect([checker.lost(N), checker.duplicated, checker.reordered]).toEqual([0, 1, 0]);
  });

  it("detects one reordered message among 10 000", () => {
    const checker = new SequenceChecker(2, 2);
    const seqs = inOrder();
    [seqs[7000], seqs[7001]] = [7001, 7000];
    const arrivals = run(checker, seqs);
    expect(arrivals[7001]).toBe("reordered");
    expect([checker.lost(N), checker.duplicated, checker.reordered]).toEqual([0, 0, 1]);
  });

  it("detects a message delivered far too late as reordered", () => {
    const checker = new SequenceChecker(2, 2);
    const seqs = inOrder().filter((seq) => seq !== 10);
    seqs.push(10);
    run(checker, seqs);
    expect([checker.lost(N), checker.duplicated, checker.reordered]).toEqual([0, 0, 1]);
  });

  it("detects a duplicate of a message that arrived out of order", () => {
    const checker = new SequenceChecker(1, 1);
    expect(run(checker, [0, 3, 5, 3, 4, 4, 1, 2, 2, 6], 0, 0)).toEqual([
      "ok", "ok", "ok", "duplicate", "reordered", "duplicate", "reordered", "reordered", "duplicate", "ok",
    ]);
    expect([checker.lost(7), checker.duplicated, checker.reordered]).toEqual([0, 3, 3]);
  });

  it("keeps pairs apart: the same seq from another sender is not a duplicate", () => {
    const checker = new SequenceChecker(3, 3);
    expect([checker.check(0, 1, 0), checker.check(0, 2, 0), checker.check(1, 2, 0), checker.check(0, 1, 0)]).toEqual([
      "ok", "ok", "ok", "duplicate",
    ]);
  });

  it("agrees with a set-based oracle on randomly dropped, duplicated and shuffled streams", () => {
    const next = random(42);
    const pairs = 20;
    const checker = new SequenceChecker(pairs, pairs);
    const seen = new Map<number, Set<number>>();
    const highest = new Map<number, number>();
    let expectedDistinct = 0;
    const counts = { duplicate: 0, reordered: 0 };
    // Per pair a stream 0..999 with drops, duplicates and local shuffles, interleaved.
    const streams = Array.from({ length: pairs }, () => {
      const stream: number[] = [];
      for (let seq = 0; seq < 1000; seq++) {
        if (next() < 0.01) continue;
        stream.push(seq);
        if (next() < 0.01) stream.push(seq - Math.floor(next() * 5));
      }
      for (let i = 0; i + 1 < stream.length; i++) {
        if (next() < 0.03) [stream[i], stream[i + 1]] = [stream[i + 1] ?? 0, stream[i] ?? 0];
      }
      return stream;
    });
    const positions = streams.map(() => 0);
    for (let live = pairs; live > 0; ) {
      const pair = Math.floor(next() * pairs);
      const stream = streams[pair] ?? [];
      const position = positions[pair] ?? 0;
      if (position >= stream.length) {
        if (position === stream.length) live--;
        positions[pair] = position + 1;
        continue;
      }
      positions[pair] = position + 1;
      const seq = Math.max(0, stream[position] ?? 0);
      const set = seen.get(pair) ?? new Set<number>();
      seen.set(pair, set);
      let oracle: Arrival = "ok";
      if (set.has(seq)) oracle = "duplicate";
      else if (seq < (highest.get(pair) ?? -1)) oracle = "reordered";
      if (oracle !== "duplicate") {
        set.add(seq);
        expectedDistinct++;
        highest.set(pair, Math.max(seq, highest.get(pair) ?? -1));
      }
      if (oracle !== "ok") counts[oracle]++;
      expect(checker.check(pair, (pair * 7) % pairs, seq)).toBe(oracle);
    }
    expect(checker.distinct).toBe(expectedDistinct);
    expect(checker.duplicated).toBe(counts.duplicate);
    expect(checker.reordered).toBe(counts.reordered);
    expect(counts.duplicate).toBeGreaterThan(0);
    expect(counts.reordered).toBeGreaterThan(0);
    expect(checker.lost(pairs * 1000)).toBe(pairs * 1000 - expectedDistinct);
  });

  it("stays bounded and counts losses against a server that drops every other message", () => {
    const checker = new SequenceChecker(1, 1);
    for (let seq = 1; seq < 100_000; seq += 2) expect(checker.check(0, 0, seq)).toBe("ok");
    expect(checker.lost(100_000)).toBe(50_000);
  });

  it("handles 1000 receivers x 1000 senders", () => {
    const checker = new SequenceChecker(1000, 1000);
    for (let sender = 0; sender < 1000; sender++) {
      for (let receiver = 0; receiver < 1000; receiver++) if (receiver !== sender) checker.check(receiver, sender, 0);
    }
    expect(checker.distinct).toBe(999_000);
    expect(checker.lost(999_000)).toBe(0);
  });

  it("throws RangeError for ids or sequence numbers out of range", () => {
    const checker = new SequenceChecker(2, 3);
    expect(() => checker.check(2, 0, 0)).toThrow(RangeError);
    expect(() => checker.check(0, 3, 0)).toThrow(RangeError);
    expect(() => checker.check(0, 0, -1)).toThrow(RangeError);
    expect(() => checker.check(0, 0, 1.5)).toThrow(RangeError);
    expect(() => new SequenceChecker(0, 1)).toThrow(RangeError);
  });
});
