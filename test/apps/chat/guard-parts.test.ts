/** The small parts behind operators and history: RoomHistory's ring, Expiring's deadlines, OperatorAuth. */
import { describe, expect, it } from "vitest";
import { Expiring } from "../../../src/apps/chat/expiring.ts";
import { RoomHistory } from "../../../src/apps/chat/history.ts";
import { OperatorAuth, secretsEqual } from "../../../src/apps/chat/operators.ts";

const NOON = Date.UTC(2026, 11, 2, 12, 0);

describe("RoomHistory", () => {
  it("keeps the last N lines, oldest first, each stamped ~ HH:MM in UTC", () => {
    const history = new RoomHistory(2);
    expect(history.replay()).toEqual([]);
    history.add("<ada> one", NOON);
    history.add("** ada waves", NOON + 60_000);
    history.add("<ada> three", NOON + 120_000);
    expect(history.replay()).toEqual(["~ 12:01 ** ada waves", "~ 12:02 <ada> three"]);
    history.add("<ada> four", NOON);
    expect(history.replay()).toEqual(["~ 12:02 <ada> three", "~ 12:00 <ada> four"]);
  });

  it("keeps nothing with a capacity of 0", () => {
    const history = new RoomHistory(0);
    history.add("<ada> one", NOON);
    expect(history.replay()).toEqual([]);
  });
});

describe("Expiring", () => {
  it("forgets an entry at its deadline, keeps one without a deadline until deleted", () => {
    const clock = { now: 0 };
    const set = new Expiring<string>(() => clock.now);
    set.add("timed", 1000);
    set.add("forever");
    clock.now = 999;
    expect(set.entries()).toEqual([["timed", 1], ["forever", Infinity]]);
    clock.now = 1000;
    expect(set.has("timed")).toBe(false);
    expect(set.delete("timed")).toBe(false);
    expect(set.delete("forever")).toBe(true);
    expect(set.entries()).toEqual([]);
  });
});

describe("OperatorAuth", () => {
  it("compares secrets of any length", () => {
    expect(secretsEqual("hunter2", "hunter2")).toBe(true);
    expect(secretsEqual("hunter2", "hunter")).toBe(false);
    expect(secretsEqual("", "x".repeat(1000))).toBe(false);
  });

  it("allows 3 attempts per address at once, then one per 10 s, and none without a password", () => {
    const clock = { now: 0 };
    const auth = new OperatorAuth("pw", () => clock.now);
    expect(["x", "y", "pw", "pw"].map((p) => auth.attempt("10.0.0.1", p))).toEqual(["wrong", "wrong", "ok", "slow down"]);
    expect(auth.attempt("10.0.0.2", "pw")).toBe("ok"); // Another address has its own attempts.
    clock.now = 10_000;
    expect([auth.attempt("10.0.0.1", "pw"), auth.attempt("10.0.0.1", "pw")]).toEqual(["ok", "slow down"]);
    expect(new OperatorAuth(undefined, () => 0).attempt("10.0.0.1", "")).toBe("disabled");
    expect(new OperatorAuth("", () => 0).attempt("10.0.0.1", "")).toBe("disabled");
  });
});
