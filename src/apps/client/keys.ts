/**
 * Keyboard bytes to keys: what a terminal in raw mode sends, decoded by hand.
 *
 * Printable UTF-8 becomes text (split sequences are joined across reads),
 * the control keys a line editor needs become named keys, and every other
 * control byte or escape sequence is dropped, so nothing typed can put a
 * control character into a chat line.
 */
import { StringDecoder } from "node:string_decoder";

/** One decoded key press (or a run of typed or pasted text). */
export type Key =
  | { kind: "text"; text: string }
  | {
      kind:
        | "enter"
        | "backspace"
        | "delete"
        | "interrupt"
        | "eof"
        | "kill-line"
        | "kill-word"
        | "left"
        | "right"
        | "up"
        | "down"
        | "home"
        | "end"
        | "suspend";
    };

/** Single control bytes with a meaning; every other one is ignored. */
const CONTROL_KEYS: Partial<Record<number, Key["kind"]>> = {
  0x01: "home", // Ctrl-A
  0x02: "left", // Ctrl-B
  0x03: "interrupt", // Ctrl-C (raw mode: no SIGINT, we get the byte)
  0x04: "eof", // Ctrl-D
  0x05: "end", // Ctrl-E
  0x06: "right", // Ctrl-F
  0x08: "backspace", // Ctrl-H
  0x0a: "enter", // Ctrl-J
  0x0d: "enter", // Enter: raw mode leaves ICRNL off, so it is \r
  0x15: "kill-line", // Ctrl-U
  0x17: "kill-word", // Ctrl-W
  0x1a: "suspend", // Ctrl-Z (raw mode: no SIGTSTP, we get the byte)
  0x7f: "backspace",
};

/** Final bytes of `ESC [ ...` and `ESC O ...` that we act on. */
const CSI_FINALS: Partial<Record<string, Key["kind"]>> = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end" };
/** `ESC [ n ~` keys (xterm and vt220 numberings). */
const TILDE_KEYS: Partial<Record<string, Key["kind"]>> = { "1": "home", "7": "home", "4": "end", "8": "end", "3": "delete" };

const ESC = 0x1b;
/** Why: an unterminated CSI must not grow without bound. */
const MAX_CSI_PARAMS = 16;
/** C1 controls can come as UTF-8 (U+0080..U+009F); they are not text. */
const C1 = /[\u0080-\u009f]/g;

type State = "ground" | "esc" | "csi" | "ss3";

/**
 * A stateful decoder: feed it each chunk read from the terminal.
 * @example
 * const keys = new KeyDecoder();
 * keys.feed(Buffer.from("hi\r")); // [{ kind: "text", text: "hi" }, { kind: "enter" }]
 */
export class KeyDecoder {
  #state: State = "ground";
  #params = "";
  readonly #utf8 = new StringDecoder("utf8");

  feed(bytes: Uint8Array): Key[] {
    const keys: Key[] = [];
    let runStart = -1; // start of the current run of text bytes, or -1
    const endRun = (end: number): void => {
      if (runStart < 0) return;
      const text = this.#utf8.write(Buffer.from(bytes.buffer, bytes.byteOffset + runStart, end - runStart)).replace(C1, "");
      runStart = -1;
      if (text.length === 0) return;
      const last = keys[keys.length - 1];
      if (last?.kind === "text") last.text += text;
      else keys.push({ kind: "text", text });
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      switch (this.#state) {
        case "ground":
          if (b >= 0x20 && b !== 0x7f) {
            if (runStart < 0) runStart = i;
            break;
          }
          endRun(i);
          if (b === ESC) this.#state = "esc";
          else {
            const kind = CONTROL_KEYS[b];
            if (kind !== undefined) keys.push({ kind } as Key);
          }
          break;
        case "esc":
          if (b === 0x5b) {
            this.#state = "csi";
            this.#params = "";
          } else if (b === 0x4f) {
            this.#state = "ss3";
          } else {
            this.#state = "ground";
            // Why: Alt+key (ESC then a printable ASCII byte) is dropped whole;
            // anything else starts over as if the ESC had not been there.
            if (!(b >= 0x20 && b < 0x7f)) i--;
          }
          break;
        case "csi":
          if (b >= 0x40 && b <= 0x7e) {
            this.#state = "ground";
            const final = String.fromCharCode(b);
            const kind = final === "~" ? TILDE_KEYS[this.#params.split(";")[0]!] : this.#params.length <= 3 ? CSI_FINALS[final] : undefined;
            if (kind !== undefined) keys.push({ kind } as Key);
          } else if (b >= 0x20 && b <= 0x3f && this.#params.length < MAX_CSI_PARAMS) {
            this.#params += String.fromCharCode(b);
          } else {
            this.#state = "ground"; // malformed: drop what we had, read the byte afresh
            if (b < 0x20 || b >= 0x80) i--;
          }
          break;
        case "ss3": {
          this.#state = "ground";
          const kind = CSI_FINALS[String.fromCharCode(b)];
          if (kind !== undefined) keys.push({ kind } as Key);
          break;
        }
      }
    }
    endRun(bytes.length);
    // Why: a terminal writes an escape sequence in one go, so an ESC that
    // ends a read is the Escape key itself (ignored), not half a sequence.
    if (this.#state === "esc") this.#state = "ground";
    return keys;
  }
}
