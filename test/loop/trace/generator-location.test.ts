import { describe, expect, it } from "vitest";
import { formatLocation, generatorLocations } from "../../../src/loop/trace/generator-location.ts";

function* twoSteps(): Generator<number, void, unknown> {
  yield 1;
  yield 2;
}

describe("generatorLocations", () => {
  it("names the function of each suspended generator and a position in this file", () => {
    const a = twoSteps();
    a.next();
    const b = twoSteps();
    b.next();
    b.next();
    const [whereA, whereB] = generatorLocations([a, b]);
    expect(whereA).toMatchObject({ functionName: "twoSteps", file: "test/loop/trace/generator-location.test.ts" });
    expect(whereB).toMatchObject({ functionName: "twoSteps" });
    // Two different yields: the second generator stopped further down.
    expect(whereB!.line * 1000 + whereB!.column).toBeGreaterThan(whereA!.line * 1000 + whereA!.column);
    expect(formatLocation(whereA!)).toMatch(/^twoSteps \(test\/loop\/trace\/generator-location\.test\.ts:\d+:\d+\)$/);
  });

  it("gives null for what is not suspended: a generator not started, finished or running, a plain object", () => {
    const fresh = twoSteps(); // Suspended at its start: V8 still gives a location, at the function.
    const done = twoSteps();
    for (const _ of done) void _;
    let whileRunning: unknown = undefined;
    const holder: { self?: Generator<number, void, unknown> } = {};
    holder.self = (function* selfLooking(): Generator<number, void, unknown> {
      whileRunning = generatorLocations([holder.self!])[0];
      yield 0;
    })();
    holder.self.next();
    const [atStart, finished, plain] = generatorLocations([fresh, done, { next() {} }]);
    expect(atStart).toMatchObject({ functionName: "twoSteps" });
    expect(finished).toBeNull();
    expect(plain).toBeNull();
    expect(whileRunning).toBeNull();
    expect(generatorLocations([])).toEqual([]);
  });
});
