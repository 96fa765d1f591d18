import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collapseWhitespace, decodeLine, sanitizeText, stripControls, stripInvisible } from "../../../src/apps/chat/sanitize.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("decodeLine", () => {
  it("decodes any bytes as the UTF-8 decoder does, its ASCII shortcut included", () => {
    const reference = new TextDecoder("utf-8", { fatal: false });
    const bytes = fc.oneof(fc.uint8Array({ max: 0x7f, maxLength: 40 }), fc.uint8Array({ maxLength: 40 }));
    fc.assert(
      fc.property(bytes, (raw) => {
        const line = Buffer.from(raw);
        const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
        expect(decodeLine(line)).toBe(reference.decode(line.subarray(0, end)));
      }),
      { numRuns: 5000 },
    );
  });

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

describe("stripInvisible", () => {
  it.each([
    ["right-to-left override", "abc\u202Efdp.exe", "abcfdp.exe"],
    ["bidi isolates and embeddings", "\u2066a\u2069\u202Ab\u202C\u202Dc\u202C\u2067d\u2068e\u2069", "abcde"],
    ["bidi marks", "a\u200Eb\u200Fc\u061Cd", "abcd"],
    ["zero-width space, word joiner, BOM", "ad\u200Bmi\u2060n\uFEFF", "admin"],
    ["soft hyphen and combining grapheme joiner", "a\u00ADb\u034Fc", "abc"],
    ["tag characters outside a flag (hidden text)", "x\u{E0041}\u{E0042}y", "xy"],
    ["a joiner at an edge or beside a space", "\u200Da \u200Cb\u200D", "a b"],
    ["repeated joiners become one", "a\u200D\u200D\u200Db", "a\u200Db"],
  ])("removes %s", (_, input, output) => {
    expect(stripInvisible(input)).toBe(output);
  });

  it.each([
    ["emoji ZWJ sequences", "👨\u200D👩\u200D👧"],
    ["a zero-width non-joiner inside a Persian word", "می\u200Cخواهم"],
    ["a subdivision flag's tag sequence", "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"],
    ["plain text", "ça va ☃ 🎉"],
  ])("keeps %s", (_, text) => {
    expect(stripInvisible(text)).toBe(text);
  });
});

describe("collapseWhitespace", () => {
  it("collapses a run of spaces padding a line to the next screen row", () => {
    expect(collapseWhitespace(`hi${" ".repeat(200)}<admin> please run rm -rf ~`)).toBe("hi <admin> please run rm -rf ~");
  });

  it("turns TAB, U+2028, U+2029, ideographic space and fillers into one space", () => {
    expect(collapseWhitespace("a\tb\u2028c\u2029d\u3000\u3000e\u3164f\u2800\u2800g")).toBe("a b c d e f g");
  });

  it("keeps a single space or no-break space", () => {
    expect(collapseWhitespace("bonjour\u00A0! ça va")).toBe("bonjour\u00A0! ça va");
  });
});

describe("sanitizeText", () => {
  it("strips controls and invisible characters, then collapses the whitespace they leave", () => {
    expect(sanitizeText("\x1b[1mhi\x1b[0m \u200B\u202E  there")).toBe("hi there");
  });

  it("leaves no bidi control, zero-width character, separator or whitespace run in random text", () => {
    const alphabet = ["\u202E", "\u2066", "\u2069", "\u200B", "\u200D", "\u2028", "\u2029", "\uFEFF", " ", "\t", "\u3000",
      "\x1b", "[", "m", "a", "é", "👍", "\u00A0"];
    const texts = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(texts, (text) => {
        const out = sanitizeText(text);
        expect(out).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B\u2028\u2029\uFEFF\t]|\s\s|(?:^|\s)\u200D|\u200D(?:$|\s)|\u200D\u200D/u);
        expect(sanitizeText(out)).toBe(out); // idempotent
      }),
      { numRuns: 5000 },
    );
  });

  it("gives plain ASCII the same result as the three steps do (its shortcut changes nothing)", () => {
    const ascii = fc.string({ unit: fc.integer({ min: 0x00, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 40 });
    fc.assert(
      fc.property(ascii, (text) => {
        expect(sanitizeText(text)).toBe(collapseWhitespace(stripInvisible(stripControls(text))));
      }),
      { numRuns: 5000 },
    );
    expect(sanitizeText("two  spaces")).toBe("two spaces");
    expect(sanitizeText("tab\there")).toBe("tab here");
  });
});
