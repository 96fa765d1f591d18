/**
 * Drawing for the terminal: the input line (erase the terminal line, write
 * the prompt and the part of the text that fits, put the cursor back where
 * it belongs) and the rows of a printed line.
 *
 * Invariants: the input line never wraps (a long line scrolls sideways), so
 * `\r` plus "erase line" always removes all of it, and an incoming message
 * can be printed in its place. A printed line is never wrapped by the
 * terminal: it is cut into rows here, and every row after the first starts
 * with CONTINUATION, so no text but a line's own start reaches column 0.
 */

/** Carriage return, then erase the whole line (EL 2). */
export const ERASE_LINE = "\r\x1b[2K";

/**
 * Columns a code point takes on a terminal: 0 for combining marks and
 * zero-width characters, 2 for wide East Asian characters and most emoji,
 * else 1. An approximation of wcwidth, good enough to keep the line unwrapped.
 */
export function charWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  if (c === 0x200b || c === 0x200c || c === 0x200d || c === 0xfeff || /\p{Mn}|\p{Me}/u.test(ch)) return 0;
  if (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * At least the columns a terminal may give `ch`: {@link charWidth}, but 2 for
 * the symbols and emoji that some terminals draw wide and others narrow.
 * Why: cutting rows by a width below the terminal's would let it wrap a row
 * itself, unmarked; a width above it only makes a row a little shorter.
 */
function widestWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  const maybeWide =
    c >= 0x1f000 ||
    (c >= 0x2300 && c <= 0x23ff) ||
    (c >= 0x2460 && c <= 0x24ff) ||
    (c >= 0x25a0 && c <= 0x27bf) ||
    (c >= 0x2b00 && c <= 0x2bff);
  return maybeWide ? 2 : charWidth(ch);
}

/** What starts each continuation row of a printed line (4 columns). */
export const CONTINUATION = "  \u21b3 ";
const CONTINUATION_WIDTH = 4;
const ESC = 0x1b;
const TAB_STOP = 8;

/**
 * `line` cut into terminal rows of at most `columns - 1` columns, joined by
 * `\r\n`, each row after the first starting with {@link CONTINUATION}: a
 * long line can't make a wrapped part look like a line of its own (say
 * `<admin> ...` at the start of a row). TABs become spaces up to the next
 * tab stop; SGR colour sequences (`ESC [ ... m`, the only ones a formatted
 * line holds) take no room.
 * @example
 * wrapRows("a".repeat(12), 10); // "aaaaaaaaa\r\n  ↳ aaa"
 */
export function wrapRows(line: string, columns: number): string {
  const room = Math.max(CONTINUATION_WIDTH + 4, columns - 1);
  let out = "";
  let width = 0;
  for (let i = 0; i < line.length; ) {
    if (line.charCodeAt(i) === ESC) {
      const end = line.indexOf("m", i);
      const next = end < 0 ? line.length : end + 1;
      out += line.slice(i, next);
      i = next;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    i += ch.length;
    const tab = ch === "\t";
    let w = tab ? TAB_STOP - (width % TAB_STOP) : widestWidth(ch);
    if (width + w > room) {
      out += `\r\n${CONTINUATION}`;
      width = CONTINUATION_WIDTH;
      if (tab) w = TAB_STOP - (width % TAB_STOP);
    }
    out += tab ? " ".repeat(w) : ch;
    width += w;
  }
  return out;
}

function widthOf(chars: readonly string[], from: number, to: number): number {
  let width = 0;
  for (let i = from; i < to; i++) width += charWidth(chars[i]!);
  return width;
}

/**
 * The bytes that redraw the input line: `prompt` then the window of `chars`
 * that holds the cursor and fits in `columns - 1` (the last column stays
 * free, so the terminal never wraps).
 * @example
 * renderInput("> ", ["h", "i"], 2, 80); // "\r\x1b[2K> hi"
 */
export function renderInput(prompt: string, chars: readonly string[], cursor: number, columns: number): string {
  const room = Math.max(1, columns - 1 - prompt.length);
  // Scroll just enough that the cursor is visible.
  let start = 0;
  while (start < cursor && widthOf(chars, start, cursor) >= room) start++;
  let end = start;
  let width = 0;
  while (end < chars.length && width + charWidth(chars[end]!) < room) width += charWidth(chars[end++]!);
  const visible = chars.slice(start, end).join("");
  let out = ERASE_LINE + prompt + visible;
  if (cursor < end) {
    const column = prompt.length + widthOf(chars, start, cursor);
    out += column > 0 ? `\r\x1b[${column}C` : "\r";
  }
  return out;
}
