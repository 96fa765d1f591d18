/**
 * The terminal client's line editor and keys, as a newcomer uses them:
 * whole grapheme clusters under the cursor, Up/Down history, Ctrl-Z, and
 * NO_COLOR as no-color.org defines it.
 */
import { describe, expect, it } from "vitest";
import { KeyDecoder, type Key } from "../../src/apps/client/keys.ts";
import { HISTORY_SIZE, LineEditor } from "../../src/apps/client/line-editor.ts";
import { noColorRequested } from "../../src/apps/client/main.ts";
import { ChatView } from "../../src/apps/client/view.ts";

const text = (t: string): Key => ({ kind: "text", text: t });
const key = (kind: Exclude<Key["kind"], "text">): Key => ({ kind }) as Key;

function editor(...keys: Key[]): LineEditor {
  const e = new LineEditor();
  for (const k of keys) e.apply(k);
  return e;
}

describe("LineEditor and grapheme clusters", () => {
  it("keeps 👍🏽 (thumbs up + skin tone) one character: Backspace removes both code points", () => {
    const e = editor(text("a👍🏽"));
    expect(e.chars).toEqual(["a", "👍🏽"]);
    e.apply(key("backspace"));
    expect(e.text).toBe("a");
  });

  it("joins a modifier typed after its base into one character", () => {
    const e = editor(text("👍"), text("🏽"), text("e"), text("\u0301"));
    expect(e.chars).toEqual(["👍🏽", "e\u0301"]);
    expect(e.cursor).toBe(2);
  });

  it("moves the cursor over whole clusters, and inserts between them", () => {
    const family = "👨‍👩‍👧";
    const e = editor(text(`x${family}🇫🇷y`), key("left"), key("left"));
    expect(e.cursor).toBe(2); // after the family, before the flag
    e.apply(text("-"));
    expect(e.text).toBe(`x${family}-🇫🇷y`);
    e.apply(key("left"));
    e.apply(key("backspace"));
    expect(e.text).toBe("x-🇫🇷y");
    e.apply(key("delete"));
    expect(e.text).toBe("x🇫🇷y");
    e.apply(key("delete"));
    expect(e.text).toBe("xy");
  });
});

describe("LineEditor history", () => {
  it("recalls sent lines with Up, newest first, and Down back to the line being written", () => {
    const e = editor(text("one"), key("enter"), text("two"), key("enter"), text("draft"));
    e.apply(key("up"));
    expect(e.text).toBe("two");
    expect(e.cursor).toBe(3);
    e.apply(key("up"));
    expect(e.text).toBe("one");
    expect(e.apply(key("up"))).toEqual({ kind: "none" }); // no older line
    e.apply(key("down"));
    e.apply(key("down"));
    expect(e.text).toBe("draft");
    expect(e.apply(key("down"))).toEqual({ kind: "none" });
  });

  it("sends a recalled line as it is shown, and remembers neither blank lines nor a repeat", () => {
    const e = editor(text("hello"), key("enter"), text("  "), key("enter"), key("up"));
    expect(e.text).toBe("hello");
    expect(e.apply(key("enter"))).toEqual({ kind: "submit", line: "hello" });
    e.apply(key("up"));
    expect(e.text).toBe("hello");
    expect(e.apply(key("up"))).toEqual({ kind: "none" }); // one entry only
  });

  it(`keeps the last ${HISTORY_SIZE} lines`, () => {
    const e = new LineEditor();
    for (let i = 0; i < HISTORY_SIZE + 10; i++) {
      e.apply(text(`line ${i}`));
      e.apply(key("enter"));
    }
    for (let i = 0; i < HISTORY_SIZE + 10; i++) e.apply(key("up"));
    expect(e.text).toBe("line 10");
  });
});

describe("keys for history and suspend", () => {
  it("decodes Up and Down (CSI and SS3 forms) and Ctrl-Z", () => {
    expect(new KeyDecoder().feed(Buffer.from("\x1b[A\x1b[B\x1bOA\x1bOB\x1a"))).toEqual([
      key("up"),
      key("down"),
      key("up"),
      key("down"),
      key("suspend"),
    ]);
  });

  it("turns Ctrl-Z into a suspend action for the session, and keeps the typed line", () => {
    const view = new ChatView({ color: false, columns: () => 80 });
    const { actions } = view.keys(Buffer.from("half\x1a"));
    expect(actions).toEqual([{ kind: "suspend" }]);
    expect(view.typed).toBe("half");
  });
});

describe("NO_COLOR", () => {
  it("disables colour when set to any non-empty value, and not when set but empty (no-color.org)", () => {
    expect(noColorRequested({ NO_COLOR: "1" })).toBe(true);
    expect(noColorRequested({ NO_COLOR: "0" })).toBe(true);
    expect(noColorRequested({ NO_COLOR: "" })).toBe(false);
    expect(noColorRequested({})).toBe(false);
  });
});
