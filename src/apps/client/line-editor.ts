/**
 * The line being typed: its characters and cursor, changed one key at a
 * time, and the lines sent before (Up/Down). Knows nothing of terminals;
 * the renderer draws it.
 *
 * Invariant: a "character" here is a grapheme cluster (Intl.Segmenter), what
 * a reader sees as one: the cursor and Backspace never split `👍🏽`, `é`
 * typed as e + U+0301, or a flag.
 */
import type { Key } from "./keys.ts";

/** What a key did to the line. */
export type Edit =
  | { kind: "none" }
  | { kind: "changed" }
  /** Enter: the line (emptied in the editor) is to be sent. */
  | { kind: "submit"; line: string }
  /** Ctrl-D on an empty line: leave. */
  | { kind: "eof" }
  /** Ctrl-C: quit at once. */
  | { kind: "interrupt" }
  /** Ctrl-Z: suspend the program (the shell's `fg` resumes it). */
  | { kind: "suspend" };

const NONE: Edit = { kind: "none" };
const CHANGED: Edit = { kind: "changed" };
/** Lines Up can recall; the oldest are forgotten first. */
export const HISTORY_SIZE = 500;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `text` cut into grapheme clusters. */
export function splitGraphemes(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/**
 * A one-line editor working in grapheme clusters, with a history of the
 * lines submitted.
 * @example
 * const editor = new LineEditor();
 * editor.apply({ kind: "text", text: "hi" });
 * editor.apply({ kind: "enter" }); // { kind: "submit", line: "hi" }
 * editor.apply({ kind: "up" });    // the line is "hi" again
 */
export class LineEditor {
  #chars: string[] = [];
  #cursor = 0;
  readonly #history: string[] = [];
  /** Which history entry is shown: #history.length means the line being written. */
  #recalled = 0;
  /** The line being written, kept while Up shows older ones. */
  #draft = "";

  /** The characters (grapheme clusters) of the line. */
  get chars(): readonly string[] {
    return this.#chars;
  }

  /** Cursor position, in characters (grapheme clusters) from the start. */
  get cursor(): number {
    return this.#cursor;
  }

  get text(): string {
    return this.#chars.join("");
  }

  apply(key: Key): Edit {
    switch (key.kind) {
      case "text":
        this.#insert(key.text);
        return CHANGED;
      case "enter": {
        const line = this.text;
        this.#remember(line);
        this.#set("");
        return { kind: "submit", line };
      }
      case "up":
        return this.#recall(this.#recalled - 1);
      case "down":
        return this.#recall(this.#recalled + 1);
      case "suspend":
        return { kind: "suspend" };
      case "backspace":
        if (this.#cursor === 0) return NONE;
        this.#chars.splice(--this.#cursor, 1);
        return CHANGED;
      case "delete":
        if (this.#cursor === this.#chars.length) return NONE;
        this.#chars.splice(this.#cursor, 1);
        return CHANGED;
      case "eof":
        // As in readline: Ctrl-D leaves on an empty line, else deletes under the cursor.
        if (this.#chars.length === 0) return { kind: "eof" };
        return this.apply({ kind: "delete" });
      case "interrupt":
        return { kind: "interrupt" };
      case "kill-line":
        if (this.#cursor === 0) return NONE;
        this.#chars.splice(0, this.#cursor);
        this.#cursor = 0;
        return CHANGED;
      case "kill-word": {
        let start = this.#cursor;
        while (start > 0 && this.#chars[start - 1] === " ") start--;
        while (start > 0 && this.#chars[start - 1] !== " ") start--;
        if (start === this.#cursor) return NONE;
        this.#chars.splice(start, this.#cursor - start);
        this.#cursor = start;
        return CHANGED;
      }
      case "left":
        return this.#moveTo(this.#cursor - 1);
      case "right":
        return this.#moveTo(this.#cursor + 1);
      case "home":
        return this.#moveTo(0);
      case "end":
        return this.#moveTo(this.#chars.length);
    }
  }

  /**
   * Insert `text` at the cursor. Why the whole line is segmented again: what
   * is typed may join the character before it (a skin tone after 👍, a
   * combining accent), which only segmenting the joined text can tell.
   */
  #insert(text: string): void {
    const before = this.#chars.slice(0, this.#cursor).join("") + text;
    const chars = splitGraphemes(before + this.#chars.slice(this.#cursor).join(""));
    let cursor = 0;
    for (let length = 0; cursor < chars.length && length < before.length; cursor++) length += chars[cursor]!.length;
    this.#chars = chars;
    this.#cursor = cursor;
  }

  /** Replace the line with `text`, the cursor at its end. */
  #set(text: string): void {
    this.#chars = splitGraphemes(text);
    this.#cursor = this.#chars.length;
  }

  /** Keep a submitted line for Up: not blank ones, nor the same line twice in a row. */
  #remember(line: string): void {
    if (line.trim() !== "" && this.#history.at(-1) !== line) {
      this.#history.push(line);
      if (this.#history.length > HISTORY_SIZE) this.#history.shift();
    }
    this.#recalled = this.#history.length;
    this.#draft = "";
  }

  /** Show history entry `index` (the draft past the newest). */
  #recall(index: number): Edit {
    if (index < 0 || index > this.#history.length || index === this.#recalled) return NONE;
    if (this.#recalled === this.#history.length) this.#draft = this.text;
    this.#recalled = index;
    this.#set(index === this.#history.length ? this.#draft : this.#history[index]!);
    return CHANGED;
  }

  #moveTo(position: number): Edit {
    const to = Math.max(0, Math.min(this.#chars.length, position));
    if (to === this.#cursor) return NONE;
    this.#cursor = to;
    return CHANGED;
  }
}
