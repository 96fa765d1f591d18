import { describe, expect, it } from "vitest";
import { decodeLine, stripControls } from "../../../src/apps/chat/sanitize.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("decodeLine", () => {
  it("decodes UTF-8", () => {
    expect(decodeLine(utf8("héllo wörld ☃ 🎉"))).toBe("héllo wörld ☃ 🎉");
  });

  it("drops one trailing \\r, only one", () => {
    expect(decodeLine(utf8("hi\r"))).toBe("hi");
    expect(decodeLine(utf8("hi\r\r"))).toBe("hi\r");
    expect(decodeLine(utf8("a\rb"))).toBe("a\rb");
    expect(decodeLine(utf8("\r"))).toBe("");
  });

  it("turns invalid UTF-8 into U+FFFD", () => {
    expect(decodeLine(Uint8Array.of(0x61, 0xff, 0x62))).toBe("a\uFFFDb");
    expect(decodeLine(Uint8Array.of(0xc3))).toBe("\uFFFD"); // truncated sequence
    expect(decodeLine(Uint8Array.of(0xed, 0xa0, 0x80))).toBe("\uFFFD\uFFFD\uFFFD"); // surrogate
  });

  it("decodes an empty line", () => {
    expect(decodeLine(new Uint8Array(0))).toBe("");
  });
});

describe("stripControls", () => {
  const cases: [string, string, string][] = [
    ["plain text unchanged", "hello, world", "hello, world"],
    ["keeps TAB", "a\tb", "a\tb"],
    ["keeps non-ASCII", "ça va ☃ 🎉 \uFFFD", "ça va ☃ 🎉 \uFFFD"],
    ["C0 controls", "a\x00b\x07c\x08d\ne\rf\x1fg", "abcdefg"],
    ["DEL", "a\x7fb", "ab"],
    ["C1 controls", "a\u0080b\u0085c\u009cd", "abcd"],
    ["SGR colour", "\x1b[31mred\x1b[0m", "red"],
    ["CSI with private params", "\x1b[?1049hx\x1b[?25l", "x"],
    ["CSI clear screen and cursor moves", "\x1b[2J\x1b[Ha\x1b[10;20Hb", "ab"],
    ["CSI with intermediate", "a\x1b[1 qb", "ab"],
    ["8-bit CSI", "a\u009b31mb", "ab"],
    ["OSC ended by BEL", "a\x1b]0;pwned\x07b", "ab"],
    ["OSC ended by ST", "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"],
    ["8-bit OSC ended by 8-bit ST", "a\u009d0;t\u009cb", "ab"],
    ["DCS", "a\x1bP1$r0m\x1b\\b", "ab"],
    ["SOS, PM, APC", "a\x1bXs\x1b\\b\x1b^p\x1b\\c\x1b_a\x1b\\d", "abcd"],
    ["8-bit DCS", "a\u0090q#0\u009cb", "ab"],
    ["two-byte ESC sequences", "a\x1b7b\x1b8c\x1bcd\x1bMe", "abcde"],
    ["charset designation", "a\x1b(Bb\x1b)0c", "abc"],
    ["stray ST", "a\x1b\\b", "ab"],
    ["unterminated OSC swallows the rest", "a\x1b]0;title", "a"],
    ["unterminated CSI", "a\x1b[31", "a"],
    ["lone ESC at the end", "a\x1b", "a"],
    ["ESC before a non-ASCII character drops the ESC only", "a\x1bé", "aé"],
    ["CSI aborted by a non-CSI character", "a\x1b[3€b", "a€b"],
    ["C0 inside CSI is dropped and the CSI completes", "a\x1b[3\x081mb", "ab"],
    ["ESC inside OSC starts a new sequence", "a\x1b]0;t\x1b[31mb", "ab"],
    ["nothing but escapes", "\x1b[0m\x1b[K", ""],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(stripControls(input)).toBe(expected);
  });

  it("never leaves a control character, whatever the input", () => {
    // A deterministic pseudo-random sweep over control-heavy strings.
    const alphabet = ["\x1b", "[", "]", "P", "\\", "\x07", "\u009b", "\u009c", "\u009d", "\x90",
      "\x00", "\n", "\t", "\x7f", "\u0085", "1", ";", "m", "a", "é", " ", "(", "?"];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 5000; n++) {
      let s = "";
      const len = next() % 24;
      for (let k = 0; k < len; k++) s += alphabet[next() % alphabet.length];
      const out = stripControls(s);
      expect(out).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/);
      expect(stripControls(out)).toBe(out); // idempotent
    }
  });

  it("returns clean text as the same string", () => {
    const s = "nothing to strip here";
    expect(stripControls(s)).toBe(s);
  });
});
