/**
 * The interactive screen as a pure function of events: keyboard bytes and
 * server lines in, terminal bytes and actions out. No I/O here, so it is
 * tested byte for byte.
 *
 * Invariants: the bottom line of the terminal is the input line (prompt and
 * what is typed). Anything printed first erases it, prints above, then
 * redraws it, so incoming messages never garble a half-typed line. Printed
 * lines are cut into rows here, continuations marked, never wrapped by the
 * terminal.
 */
import { stripInvisible } from "../chat/sanitize.ts";
import { formatOwnLine, formatServerLine } from "./colors.ts";
import { KeyDecoder } from "./keys.ts";
import { LineEditor } from "./line-editor.ts";
import { ERASE_LINE, renderInput, wrapRows } from "./render.ts";

/** What the session must do after some keys. */
export type Action =
  /** Send this line to the server. */
  | { kind: "send"; line: string }
  /** Ctrl-D on an empty line (or the keyboard closed): leave cleanly. */
  | { kind: "leave" }
  /** Ctrl-C: quit at once. */
  | { kind: "interrupt" }
  /** Ctrl-Z: suspend the program, then redraw (`view.start()`) once resumed. */
  | { kind: "suspend" };

export interface ViewOptions {
  /** Colour nicknames and errors. */
  color: boolean;
  /** The terminal's width, read at each redraw (it changes on resize). */
  columns: () => number;
  /** Default "> ". */
  prompt?: string;
}

export class ChatView {
  readonly #decoder = new KeyDecoder();
  readonly #editor = new LineEditor();
  readonly #color: boolean;
  readonly #columns: () => number;
  readonly #prompt: string;
  /** Once leaving, no input line is drawn and only Ctrl-C counts. */
  #leaving = false;

  constructor(options: ViewOptions) {
    this.#color = options.color;
    this.#columns = options.columns;
    this.#prompt = options.prompt ?? "> ";
  }

  /** The text being typed (for tests and status). */
  get typed(): string {
    return this.#editor.text;
  }

  /** The first drawing of the input line. */
  start(): string {
    return this.#input();
  }

  /**
   * Feed keyboard bytes: the bytes that update the screen, and what to do.
   * @example
   * view.keys(Buffer.from("hi\r")); // { output: "...> hi...", actions: [{ kind: "send", line: "hi" }] }
   */
  keys(bytes: Uint8Array): { output: string; actions: Action[] } {
    let output = "";
    const actions: Action[] = [];
    for (const key of this.#decoder.feed(bytes)) {
      if (this.#leaving) {
        if (key.kind === "interrupt") actions.push({ kind: "interrupt" });
        continue;
      }
      const edit = this.#editor.apply(key);
      switch (edit.kind) {
        case "changed":
          output += this.#input();
          break;
        case "submit":
          // Why: blank lines are ignored by the server; don't echo or send them.
          if (edit.line.trim().length === 0) {
            output += this.#input();
            break;
          }
          output += ERASE_LINE + wrapRows(formatOwnLine(this.#prompt + edit.line, this.#color), this.#columns()) + "\r\n" + this.#input();
          actions.push({ kind: "send", line: edit.line });
          break;
        case "eof":
          actions.push({ kind: "leave" });
          break;
        case "interrupt":
        case "suspend":
          actions.push({ kind: edit.kind });
          break;
        case "none":
          break;
      }
    }
    return { output, actions };
  }

  /**
   * Print a server line above the input line, then redraw the input line.
   * The line is cleaned as the server cleans lines (controls, bidi and
   * invisible characters: a client never trusts the wire) and cut into
   * marked rows (see `wrapRows`), so a wrapped part can't pass for a line.
   */
  incoming(line: string): string {
    return ERASE_LINE + wrapRows(formatServerLine(stripInvisible(line), this.#color), this.#columns()) + "\r\n" + this.#input();
  }

  /** Stop drawing the input line (we are leaving); erases it. */
  leave(): string {
    this.#leaving = true;
    return ERASE_LINE;
  }

  /** Erase the input line, for printing something else (an error) or exiting. */
  clear(): string {
    return ERASE_LINE;
  }

  #input(): string {
    if (this.#leaving) return "";
    return renderInput(this.#prompt, this.#editor.chars, this.#editor.cursor, this.#columns());
  }
}
