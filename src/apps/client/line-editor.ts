/**
 * The line being typed: its characters and cursor, changed one key at a time.
 * Knows nothing of terminals; the renderer draws it.
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
  | { kind: "interrupt" };

const NONE: Edit = { kind: "none" };
const CHANGED: Edit = { kind: "changed" };

/**
 * A one-line editor working in code points, so the cursor never splits a
 * character encoded as a surrogate pair.
 * @example
 * const editor = new LineEditor();
 * editor.apply({ kind: "text", text: "hi" });
 * editor.apply({ kind: "enter" }); // { kind: "submit", line: "hi" }
 */
export class LineEditor {
  #chars: string[] = [];
  #cursor = 0;

  /** The characters (code points) of the line. */
  get chars(): readonly string[] {
    return this.#chars;
  }

  /** Cursor position, in code points from the start. */
  get cursor(): number {
    return this.#cursor;
  }

  get text(): string {
    return this.#chars.join("");
  }

  apply(key: Key): Edit {
    switch (key.kind) {
      case "text": {
        const added = Array.from(key.text);
        this.#chars.splice(this.#cursor, 0, ...added);
        this.#cursor += added.length;
        return CHANGED;
      }
      case "enter": {
        const line = this.text;
        this.#chars = [];
        this.#cursor = 0;
        return { kind: "submit", line };
      }
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

  #moveTo(position: number): Edit {
    const to = Math.max(0, Math.min(this.#chars.length, position));
    if (to === this.#cursor) return NONE;
    this.#cursor = to;
    return CHANGED;
  }
}
