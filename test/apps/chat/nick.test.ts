import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkRename, NICK_MAX, nickKey, normalizeNick } from "../../../src/apps/chat/nick.ts";

describe("normalizeNick", () => {
  it.each(["a", "alice", "Bob_2", "x-y", "_", "-", "a".repeat(NICK_MAX)])("accepts %s", (nick) => {
    expect(normalizeNick(nick)).toEqual({ ok: true, nick });
  });

  it("strips escape codes around a valid name, then checks it", () => {
    expect(normalizeNick("\x1b[31mbob\x1b[0m")).toEqual({ ok: true, nick: "bob" });
    expect(normalizeNick("\x1b]0;x\x07al\x07ice")).toEqual({ ok: true, nick: "alice" });
  });

  it("trims surrounding whitespace", () => {
    expect(normalizeNick("  carol \t")).toEqual({ ok: true, nick: "carol" });
  });

  it("refuses 25 characters", () => {
    expect(NICK_MAX).toBe(24);
    expect(normalizeNick("a".repeat(25))).toEqual({
      ok: false,
      reason: "nickname is longer than 24 characters",
    });
  });

  it("refuses an empty name, also when only controls were given", () => {
    expect(normalizeNick("")).toEqual({ ok: false, reason: "nickname is empty" });
    expect(normalizeNick("\x1b[0m \x07")).toEqual({ ok: false, reason: "nickname is empty" });
  });

  it.each(["a b", "al!ce", "é", "bob.", "#room", "<bob>"])("refuses %j", (nick) => {
    expect(normalizeNick(nick)).toEqual({
      ok: false,
      reason: "nickname may only contain ASCII letters, digits, _ and -",
    });
  });
});

describe("normalizeNick and look-alikes", () => {
  it("refuses the Cyrillic а of аdmin, and folds fullwidth letters to ASCII", () => {
    expect(normalizeNick("\u0430dmin").ok).toBe(false);
    expect(normalizeNick("\uff41\uff44\uff4d\uff49\uff4e")).toEqual({ ok: true, nick: "admin" });
  });

  it("lets no non-ASCII character through, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (raw) => {
        const result = normalizeNick(raw);
        if (result.ok) expect(result.nick).toMatch(/^[A-Za-z0-9_-]{1,24}$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("nickKey", () => {
  it("is case-insensitive", () => {
    expect(nickKey("Alice")).toBe(nickKey("aLICE"));
    expect(nickKey("alice")).not.toBe(nickKey("alicf"));
  });

  it.each([
    ["admin", "ADMlN"],
    ["admin", "adm1n"],
    ["bob", "B0B"],
    ["moe", "rnoe"],
    ["Ivan", "lvan"],
  ])("folds ASCII look-alikes: %s and %s clash", (a, b) => {
    expect(nickKey(a)).toBe(nickKey(b));
  });

  it("keeps distinct names apart", () => {
    expect(nickKey("guest1")).not.toBe(nickKey("guest10"));
    expect(nickKey("ann")).not.toBe(nickKey("anna"));
  });
});

describe("checkRename (what both hubs check before the registry)", () => {
  it("answers an invalid name with its reason and the name one has with a notice", () => {
    expect(checkRename("a b", "ada")).toEqual({ ok: false, reply: "! nickname may only contain ASCII letters, digits, _ and -" });
    expect(checkRename(" ada ", "ada")).toEqual({ ok: false, reply: "* you are already ada" });
  });

  it("lets a change of case through, cleaned", () => {
    expect(checkRename("\x1b[1mAda\x1b[0m", "ada")).toEqual({ ok: true, nick: "Ada" });
  });
});
