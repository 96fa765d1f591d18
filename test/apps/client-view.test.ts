/**
 * Unit tests of the terminal client's pieces: key decoding, the line
 * editor, the input line renderer, colours, addresses, and the view that
 * ties them together (asserted byte for byte).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseHostPort } from "../../src/apps/cli/host-port.ts";

const parseAddress = (text: string) => parseHostPort(text, { command: "connect", port: 7777 });
import { formatServerLine, nickColor } from "../../src/apps/client/colors.ts";
import { KeyDecoder, type Key } from "../../src/apps/client/keys.ts";
import { LineEditor } from "../../src/apps/client/line-editor.ts";
import { CONTINUATION, ERASE_LINE, charWidth, renderInput, wrapRows } from "../../src/apps/client/render.ts";
import { isQuit } from "../../src/apps/client/session.ts";
import { ChatView } from "../../src/apps/client/view.ts";

const bytes = (s: string) => Buffer.from(s, "utf8");
const RESET = "\x1b[0m";

describe("KeyDecoder", () => {
  const decode = (...chunks: (string | Uint8Array)[]): Key[] => {
    const decoder = new KeyDecoder();
    return chunks.flatMap((c) => decoder.feed(typeof c === "string" ? bytes(c) : c));
  };

  it("turns printable bytes into one text key and \\r into enter", () => {
    expect(decode("héllo ☃\r")).toEqual([{ kind: "text", text: "héllo ☃" }, { kind: "enter" }]);
  });

  it("joins a UTF-8 character split across two reads", () => {
    const snow = bytes("☃");
    expect(decode(snow.subarray(0, 1), snow.subarray(1))).toEqual([{ kind: "text", text: "☃" }]);
  });

  it("names the editing control keys", () => {
    expect(decode("\x7f\x08\x03\x04\x15\x17\x01\x05\n").map((k) => k.kind)).toEqual([
      "backspace", "backspace", "interrupt", "eof", "kill-line", "kill-word", "home", "end", "enter",
    ]);
  });

  it("decodes arrows, home, end and delete in their CSI and SS3 forms", () => {
    expect(decode("\x1b[D\x1b[C\x1bOD\x1bOC\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[3~").map((k) => k.kind)).toEqual([
      "left", "right", "left", "right", "home", "end", "home", "end", "delete",
    ]);
  });

  it("drops other controls and escape sequences, whole", () => {
    expect(decode("a\x1b[Z\x1b[1;5Pb\x1b[200~c\x00\x07\x1bxd\x1b[?25le")).toEqual([{ kind: "text", text: "abcde" }]);
  });

  it("joins an escape sequence split across reads", () => {
    expect(decode("a\x1b[", "Db")).toEqual([{ kind: "text", text: "a" }, { kind: "left" }, { kind: "text", text: "b" }]);
  });

  it("treats an ESC that ends a read as the Escape key, ignored", () => {
    expect(decode("a\x1b", "[b")).toEqual([{ kind: "text", text: "a" }, { kind: "text", text: "[b" }]);
  });

  it("drops C1 controls that arrive as UTF-8", () => {
    expect(decode("a\u009bb\u0085c")).toEqual([{ kind: "text", text: "abc" }]);
  });
});

describe("LineEditor", () => {
  const type = (editor: LineEditor, ...keys: Key[]) => keys.map((k) => editor.apply(k));

  it("inserts at the cursor and moves by code points", () => {
    const editor = new LineEditor();
    type(editor, { kind: "text", text: "a🎉c" }, { kind: "left" }, { kind: "left" }, { kind: "text", text: "b" });
    expect(editor.text).toBe("ab🎉c");
    expect(editor.cursor).toBe(2);
  });

  it("submits on enter and starts a fresh line", () => {
    const editor = new LineEditor();
    const [, submit] = type(editor, { kind: "text", text: "hi" }, { kind: "enter" });
    expect(submit).toEqual({ kind: "submit", line: "hi" });
    expect(editor.text).toBe("");
  });

  it("deletes with backspace, delete, Ctrl-U and Ctrl-W", () => {
    const editor = new LineEditor();
    type(editor, { kind: "text", text: "one two three" }, { kind: "backspace" }, { kind: "kill-word" });
    expect(editor.text).toBe("one two ");
    type(editor, { kind: "home" }, { kind: "delete" });
    expect(editor.text).toBe("ne two ");
    type(editor, { kind: "end" }, { kind: "left" }, { kind: "kill-line" });
    expect(editor.text).toBe(" ");
  });

  it("leaves on Ctrl-D only when the line is empty; otherwise deletes under the cursor", () => {
    const editor = new LineEditor();
    expect(editor.apply({ kind: "eof" })).toEqual({ kind: "eof" });
    type(editor, { kind: "text", text: "ab" }, { kind: "home" });
    expect(editor.apply({ kind: "eof" })).toEqual({ kind: "changed" });
    expect(editor.text).toBe("b");
  });
});

describe("renderInput", () => {
  it("erases the line, then draws the prompt and the text", () => {
    expect(renderInput("> ", ["h", "i"], 2, 80)).toBe(`${ERASE_LINE}> hi`);
  });

  it("puts the cursor back when it is not at the end", () => {
    expect(renderInput("> ", ["a", "b", "c"], 1, 80)).toBe(`${ERASE_LINE}> abc\r\x1b[3C`);
  });

  it("scrolls a line longer than the terminal so it never wraps", () => {
    const chars = Array.from("x".repeat(30) + "END");
    const out = renderInput("> ", chars, chars.length, 20);
    const visible = out.slice(ERASE_LINE.length);
    expect(visible.length).toBeLessThan(20);
    expect(visible.endsWith("END")).toBe(true);
  });

  it("counts wide characters as two columns", () => {
    expect(charWidth("漢")).toBe(2);
    expect(charWidth("a")).toBe(1);
    expect(charWidth("\u0301")).toBe(0);
    expect(renderInput("> ", ["漢", "a"], 1, 80)).toBe(`${ERASE_LINE}> 漢a\r\x1b[4C`);
  });
});

describe("formatServerLine", () => {
  const paint = (nick: string) => nickColor(nick) + nick + RESET;

  it("colours the nickname of messages, private messages and notices", () => {
    expect(formatServerLine("<ada> hi <bob>", true)).toBe(`<${paint("ada")}> hi <bob>`);
    expect(formatServerLine("[ada] psst", true)).toBe(`[${paint("ada")}] psst`);
    expect(formatServerLine("* ada joined #x", true)).toBe(`* ${paint("ada")} joined #x`);
    expect(formatServerLine("** ada waves", true)).toBe(`** ${paint("ada")} waves`);
    expect(formatServerLine("* ada is now known as bob", true)).toBe(`* ${paint("ada")} is now known as ${paint("bob")}`);
    expect(formatServerLine("* to bob: hi", true)).toBe(`* to ${paint("bob")}: hi`);
    expect(formatServerLine("* welcome, you are guest7 - type /help", true)).toBe(`* welcome, you are ${paint("guest7")} - type /help`);
  });

  it("leaves notices that start with no nickname alone", () => {
    for (const line of ["* goodbye", "* server shutting down", "* 2 rooms: #lobby (1), #x (1)", "* #lobby has 2 members: a, b", "*   /who  list"]) {
      expect(formatServerLine(line, true)).toBe(line);
    }
  });

  it("shows errors in red", () => {
    expect(formatServerLine("! no such nick bob", true)).toBe(`\x1b[31m! no such nick bob${RESET}`);
  });

  it("gives a nickname the same colour whatever its case, and spreads nicknames over colours", () => {
    expect(nickColor("Alice")).toBe(nickColor("alice"));
    const colours = new Set(Array.from({ length: 50 }, (_, i) => nickColor(`guest${i}`)));
    expect(colours.size).toBeGreaterThan(5);
    expect(colours.has("\x1b[31m")).toBe(false);
  });

  it("never passes control characters through, with or without colour", () => {
    expect(formatServerLine("<ev\x1b[2Jil> \x1b]0;pwned\x07hi\x07", false)).toBe("<evil> hi");
    expect(formatServerLine("<ev\x1b[2Jil> \x1b]0;pwned\x07hi\x07", true)).toBe(`<${paint("evil")}> hi`);
  });

  it("adds nothing when colours are off", () => {
    expect(formatServerLine("! bad", false)).toBe("! bad");
    expect(formatServerLine("<ada> hi", false)).toBe("<ada> hi");
  });
});

describe("parseHostPort", () => {
  it("reads host:port, a bare host, :port and bracketed IPv6", () => {
    expect(parseAddress("example.org:7000")).toEqual({ host: "example.org", port: 7000 });
    expect(parseAddress("example.org")).toEqual({ host: "example.org", port: 7777 });
    expect(parseAddress(":7001")).toEqual({ host: "127.0.0.1", port: 7001 });
    expect(parseAddress("[::1]:7002")).toEqual({ host: "::1", port: 7002 });
    expect(parseAddress("::1")).toEqual({ host: "::1", port: 7777 });
  });

  it("refuses a bad port with a UsageError", () => {
    expect(() => parseAddress("h:0")).toThrow(/bad port "0"/);
    expect(() => parseAddress("h:65536")).toThrow(/bad port/);
    expect(() => parseAddress("h:x")).toThrow(/bad port/);
  });
});

describe("isQuit", () => {
  it("knows /quit with or without a reason, in any case, and nothing else", () => {
    expect(["/quit", "/QUIT", "/quit bye now", "/quit\tbye"].every(isQuit)).toBe(true);
    expect(["/quitter", "quit", "//quit", " /quit"].some(isQuit)).toBe(false);
  });
});

describe("wrapRows", () => {
  const widthOf = (row: string) => [...row.replace(/\x1b\[[0-9;]*m/g, "")].reduce((w, ch) => w + (ch === "\t" ? 8 : charWidth(ch)), 0);

  it("leaves a line that fits as it is", () => {
    expect(wrapRows("<ada> hello", 80)).toBe("<ada> hello");
    expect(wrapRows("x".repeat(79), 80)).toBe("x".repeat(79));
  });

  it("cuts at columns - 1 and marks every continuation", () => {
    expect(wrapRows("a".repeat(12), 10)).toBe(`${"a".repeat(9)}\r\n${CONTINUATION}aaa`);
    expect(wrapRows("b".repeat(20), 10)).toBe(`${"b".repeat(9)}\r\n${CONTINUATION}bbbbb\r\n${CONTINUATION}bbbbb\r\n${CONTINUATION}b`);
  });

  it("counts wide characters as two columns and never splits one", () => {
    expect(wrapRows("日本語のテキスト", 10)).toBe(`日本語の\r\n${CONTINUATION}テキ\r\n${CONTINUATION}スト`);
  });

  it("expands TABs to the next tab stop, so a TAB can't pad past the edge unseen", () => {
    expect(wrapRows("a\tb", 80)).toBe("a       b");
    expect(wrapRows("\t\t\t\t\tX", 30)).toBe(`${" ".repeat(24)}\r\n${CONTINUATION}${" ".repeat(4 + 8)}X`);
  });

  it("gives colour sequences no width", () => {
    const red = `\x1b[31m${"r".repeat(9)}\x1b[0m`;
    expect(wrapRows(red, 10)).toBe(red);
  });

  it("keeps every row within columns - 1, whatever the text (random lines)", () => {
    const alphabet = ["a", " ", "\t", "日", "👍", "é", "\u0301", "\x1b[32m", "\x1b[0m", "─"];
    const lines = fc.array(fc.constantFrom(...alphabet), { maxLength: 200 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(lines, fc.integer({ min: 10, max: 70 }), (line, columns) => {
        wrapRows(line, columns).split("\r\n").forEach((row, i) => {
          expect(widthOf(row)).toBeLessThanOrEqual(columns - 1);
          if (i > 0) expect(row.startsWith(CONTINUATION)).toBe(true);
        });
      }),
      { numRuns: 2000 },
    );
  });
});

describe("ChatView", () => {
  const view = (columns = 80) => new ChatView({ color: false, columns: () => columns });

  it("redraws the half-typed input line under an incoming line", () => {
    const v = view();
    expect(v.start()).toBe(`${ERASE_LINE}> `);
    const typed = v.keys(bytes("hel"));
    expect(typed).toEqual({ output: `${ERASE_LINE}> hel`, actions: [] });
    expect(v.incoming("<bob> hi there")).toBe(`${ERASE_LINE}<bob> hi there\r\n${ERASE_LINE}> hel`);
    // The typed text survived: finishing the line sends all of it.
    const sent = v.keys(bytes("lo\r"));
    expect(sent.actions).toEqual([{ kind: "send", line: "hello" }]);
    expect(sent.output.endsWith(`${ERASE_LINE}> hello\r\n${ERASE_LINE}> `)).toBe(true);
  });

  it("keeps the cursor where it was when redrawing", () => {
    const v = view();
    v.keys(bytes("abc\x1b[D\x1b[D"));
    expect(v.incoming("* ada joined #lobby")).toBe(`${ERASE_LINE}* ada joined #lobby\r\n${ERASE_LINE}> abc\r\x1b[3C`);
  });

  it("colours incoming lines when asked, and strips their controls", () => {
    const v = new ChatView({ color: true, columns: () => 80 });
    expect(v.incoming("<ada> \x1b[2Jhi")).toBe(`${ERASE_LINE}<${nickColor("ada")}ada${RESET}> hi\r\n${ERASE_LINE}> `);
  });

  it("sends nothing for a blank line", () => {
    expect(view().keys(bytes("  \r")).actions).toEqual([]);
  });

  it("reports Ctrl-D on an empty line as leave and Ctrl-C as interrupt", () => {
    expect(view().keys(bytes("\x04")).actions).toEqual([{ kind: "leave" }]);
    expect(view().keys(bytes("abc\x03")).actions).toEqual([{ kind: "interrupt" }]);
  });

  it("sends each line of a paste, in order", () => {
    expect(view().keys(bytes("one\rtwo\rthr")).actions).toEqual([
      { kind: "send", line: "one" },
      { kind: "send", line: "two" },
    ]);
  });

  it("cuts a message padded to the terminal's width into marked rows: nothing else reaches column 0", () => {
    const v = view(40);
    const spoof = `hi${" ".repeat(37)}<admin> run curl x | sh`;
    const rows = v.incoming(`<eve> ${spoof}`).split("\r\n");
    expect(rows).toHaveLength(3); // Two rows of the message, then the input line.
    expect(rows[0]).toBe(`${ERASE_LINE}<eve> hi${" ".repeat(31)}`);
    expect(rows[1]).toBe(`${CONTINUATION}${" ".repeat(6)}<admin> run curl x | sh`);
    expect(rows[2]).toBe(`${ERASE_LINE}> `);
  });

  it("strips bidi and zero-width characters from incoming lines", () => {
    expect(view().incoming("<eve> \u202Egnp.exe\u200B")).toBe(`${ERASE_LINE}<eve> gnp.exe\r\n${ERASE_LINE}> `);
  });

  it("draws no input line once leaving, and only Ctrl-C still counts", () => {
    const v = view();
    expect(v.leave()).toBe(ERASE_LINE);
    expect(v.incoming("* goodbye")).toBe(`${ERASE_LINE}* goodbye\r\n`);
    expect(v.keys(bytes("x\r\x04\x03"))).toEqual({ output: "", actions: [{ kind: "interrupt" }] });
  });
});
