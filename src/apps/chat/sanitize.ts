/**
 * Turning received bytes into safe text: UTF-8 decoding and control stripping.
 *
 * Why: chat lines are shown verbatim on other people's terminals, so nothing a
 * terminal would interpret (C0/C1 controls, escape sequences) may survive.
 * Invariant: the output of {@link stripControls} contains no code point in
 * U+0000–U+001F except TAB, and none in U+007F–U+009F.
 */

import { isAscii } from "node:buffer";

// Why fatal:false: invalid UTF-8 becomes U+FFFD instead of throwing. One
// shared decoder is safe because decode() without {stream:true} keeps no state.
const decoder = new TextDecoder("utf-8", { fatal: false });

const CR = 0x0d;
const BEL = 0x07;
const TAB = 0x09;
const ESC = 0x1b;
const DEL = 0x7f;
const BACKSLASH = 0x5c;
// 8-bit (C1) introducers and terminator.
const DCS8 = 0x90;
const SOS8 = 0x98;
const CSI8 = 0x9b;
const ST8 = 0x9c;
const OSC8 = 0x9d;
const PM8 = 0x9e;
const APC8 = 0x9f;

/** Anything {@link stripControls} must act on; lets clean text skip the scanner. */
const HAS_CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

/**
 * Decodes one received line (without its `\n`) as UTF-8 and drops one trailing `\r`.
 *
 * Invalid UTF-8 becomes U+FFFD. A leading byte-order mark is dropped too.
 *
 * @example
 * decodeLine(new TextEncoder().encode("hi\r")); // "hi"
 */
export function decodeLine(bytes: Uint8Array): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  // Why: ASCII (most lines) decodes the same as Latin-1, which makes a
  // one-byte string straight from the bytes, without the UTF-8 decoder.
  if (bytes instanceof Buffer && isAscii(bytes)) return bytes.toString("latin1", 0, end);
  return decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end));
}

/**
 * Removes every C0 control but TAB, DEL, every C1 control and whole escape
 * sequences, so that the text cannot drive a terminal.
 *
 * Sequences removed whole: CSI (`ESC [` or U+009B, parameters, intermediates,
 * final byte), OSC (`ESC ]` or U+009D, up to BEL or ST), DCS / SOS / PM / APC
 * (`ESC P`, `ESC X`, `ESC ^`, `ESC _` or their C1 forms, up to ST), and other
 * `ESC` sequences (intermediates 0x20–0x2F, then one final 0x30–0x7E, such as
 * `ESC 7` or `ESC ( B`). ST is `ESC \` or U+009C. An unterminated string
 * sequence swallows the rest of the text; a malformed one is dropped up to the
 * offending character, which is then treated on its own.
 *
 * @example
 * stripControls("\x1b[31mred\x1b[0m \x07bell"); // "red bell"
 */
export function stripControls(text: string): string {
  if (!HAS_CONTROL.test(text)) return text; // Why: the common case allocates nothing.
  let out = "";
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && !isControl(text.charCodeAt(j))) j++;
    if (j > i) out += text.slice(i, j);
    i = j < text.length ? skipControl(text, j) : j;
  }
  return out;
}

function isControl(c: number): boolean {
  return (c < 0x20 && c !== TAB) || (c >= DEL && c <= APC8);
}

/** Returns the index just past the control character or sequence starting at `i`. */
function skipControl(text: string, i: number): number {
  switch (text.charCodeAt(i)) {
    case ESC:
      return skipEscape(text, i + 1);
    case CSI8:
      return skipCsi(text, i + 1);
    case OSC8:
      return skipString(text, i + 1, true);
    case DCS8:
    case SOS8:
    case PM8:
    case APC8:
      return skipString(text, i + 1, false);
    default:
      return i + 1;
  }
}

/** `i` is just past an ESC. */
function skipEscape(text: string, i: number): number {
  switch (text.charCodeAt(i)) {
    case 0x5b: // [
      return skipCsi(text, i + 1);
    case 0x5d: // ]
      return skipString(text, i + 1, true);
    case 0x50: // P
    case 0x58: // X
    case 0x5e: // ^
    case 0x5f: // _
      return skipString(text, i + 1, false);
  }
  let j = i;
  while (j < text.length && inRange(text.charCodeAt(j), 0x20, 0x2f)) j++;
  return j < text.length && inRange(text.charCodeAt(j), 0x30, 0x7e) ? j + 1 : j;
}

/** `i` is just past the CSI introducer: parameters, intermediates, then a final byte. */
function skipCsi(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (inRange(c, 0x40, 0x7e)) return j + 1;
    // Why: terminals execute C0 controls inside a CSI and carry on, so do we
    // (dropping them); ESC or any other character aborts the sequence.
    const continues = inRange(c, 0x20, 0x3f) || (c < 0x20 && c !== ESC) || c === DEL;
    if (!continues) return j;
    j++;
  }
  return j;
}

/** `i` is just past a string introducer: skip up to and including its terminator. */
function skipString(text: string, i: number, belEnds: boolean): number {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === ST8 || (belEnds && c === BEL)) return j + 1;
    // Why: as in terminals, any ESC ends the string; `ESC \` is ST, otherwise
    // the ESC starts a new sequence.
    if (c === ESC) return text.charCodeAt(j + 1) === BACKSLASH ? j + 2 : j;
  }
  return text.length;
}

function inRange(c: number, lo: number, hi: number): boolean {
  return c >= lo && c <= hi;
}

/**
 * Invisible characters that change how text around them is shown or read:
 * bidi controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069) that can
 * reverse a line's display, zero-width characters (U+200B, U+2060–U+2064,
 * U+FEFF, U+180E, U+034F) that hide inside words, and every other Unicode
 * format character (category Cf: soft hyphen, interlinear annotations, tag
 * characters...). Kept, because real text needs them: a zero-width joiner
 * or non-joiner between two visible characters (emoji sequences, Persian,
 * Indic scripts), and tag characters inside an emoji flag sequence.
 */
const INVISIBLE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}|[\u200C\u200D]+|\p{Cf}|\u034F/gu;
/** An emoji tag sequence (a subdivision flag such as Scotland's). */
const FLAG_TAGS = /^\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}$/u;
const JOINERS = /^[\u200C\u200D]+$/;
const HAS_INVISIBLE = /\p{Cf}|\u034F/u;

/**
 * Removes the invisible characters listed at {@link INVISIBLE}, so a line
 * can't be shown reversed, hide text, or look like another.
 *
 * @example
 * stripInvisible("abc\u202Efdp.exe"); // "abcfdp.exe"
 * stripInvisible("ad\u200Bmin");      // "admin"
 */
export function stripInvisible(text: string): string {
  if (!HAS_INVISIBLE.test(text)) return text; // Why: the common case allocates nothing.
  return text.replace(INVISIBLE, (found: string, at: number) => {
    if (FLAG_TAGS.test(found)) return found;
    if (!JOINERS.test(found)) return "";
    const before = text.codePointAt(at - 1);
    const after = text.codePointAt(at + found.length);
    const joins = before !== undefined && after !== undefined && isVisible(before) && isVisible(after);
    return joins ? found[0]! : ""; // Between two visible characters, one joiner suffices.
  });
}

function isVisible(c: number): boolean {
  return !/[\s\p{Cf}]/u.test(String.fromCodePoint(c)) && !isBlank(c);
}

/**
 * Characters that show as blank space: every JavaScript whitespace (spaces of
 * all widths, TAB, U+2028/U+2029) plus the Hangul fillers and the braille
 * blank, which a terminal draws as empty cells.
 */
const BLANK_RUN = /[\s\u115F\u1160\u3164\uFFA0\u2800]+/g;
/** What collapseWhitespace would change: a run of two, or one blank that is neither an ordinary nor a no-break space. */
const NEEDS_COLLAPSE = /[\s\u115F\u1160\u3164\uFFA0\u2800]{2}|[^\S \u00A0]|[\u115F\u1160\u3164\uFFA0\u2800]/;

function isBlank(c: number): boolean {
  return c === 0x115f || c === 0x1160 || c === 0x3164 || c === 0xffa0 || c === 0x2800;
}

/**
 * Collapses runs of blank characters to one space, and turns a lone TAB, line
 * or paragraph separator (U+2028/U+2029) or filler into a space too, so a
 * line can't be padded to the terminal's width to fake the start of a new
 * one. A lone ordinary or no-break space is kept as it is.
 *
 * @example
 * collapseWhitespace("hi" + " ".repeat(200) + "<admin> run this"); // "hi <admin> run this"
 */
export function collapseWhitespace(text: string): string {
  if (!NEEDS_COLLAPSE.test(text)) return text; // Why: the common case (words and single spaces) allocates nothing.
  return text.replace(BLANK_RUN, (run) => (run.length === 1 && (run === " " || run === "\u00A0") ? run : " "));
}

/**
 * Everything the server does to a received line before it reads it:
 * {@link stripControls}, then {@link stripInvisible}, then
 * {@link collapseWhitespace}.
 *
 * @example
 * sanitizeText("\x1b[1mhi\x1b[0m\u202E   there"); // "hi there"
 */
export function sanitizeText(text: string): string {
  // Why: most lines are printable ASCII with single spaces, which none of the
  // three steps changes; one plain test spares three Unicode regex scans.
  if (PLAIN_ASCII.test(text) && !text.includes("  ")) return text;
  return collapseWhitespace(stripInvisible(stripControls(text)));
}

/** Printable ASCII only (space to `~`): no control, invisible or odd blank. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
