/**
 * Parsing a chat line (decoded, controls already stripped) into a command.
 */
import { isRoomName } from "./room.ts";
import { invalidRoomName, unknownCommand, usage } from "./replies.ts";

/** What a line asks for. `error` carries the `! ` line to send back. */
export type Command =
  | { kind: "message"; text: string }
  | { kind: "nick"; name: string }
  | { kind: "join"; room: string }
  | { kind: "rooms"; page: number }
  | { kind: "who"; page: number }
  | { kind: "ping" }
  | { kind: "pong"; token: string }
  | { kind: "msg"; nick: string; text: string }
  | { kind: "me"; text: string }
  | { kind: "help" }
  | { kind: "quit"; reason: string }
  | { kind: "error"; line: string };

const SLASH = 0x2f;
const NON_BLANK = /\S/;
/** `/word` then, after whitespace, the rest. */
const COMMAND = /^(\/\S*)\s*([\s\S]*)$/;
/** The first word of the rest, then the text after it. */
const TARGET = /^(\S+)\s*([\s\S]*)$/;

/**
 * Parses one line. Returns `undefined` for a line that is empty or blank,
 * which is ignored.
 *
 * A line not starting with `/` is a message, kept as typed; `//text` is the
 * message `/text`. Command words are case-insensitive (`/NICK` is `/nick`);
 * arguments are trimmed, except a message's text.
 *
 * @example
 * parseCommand("/msg bob hi there"); // { kind: "msg", nick: "bob", text: "hi there" }
 * parseCommand("//etc");             // { kind: "message", text: "/etc" }
 */
export function parseCommand(line: string): Command | undefined {
  if (!NON_BLANK.test(line)) return undefined;
  if (line.charCodeAt(0) !== SLASH) return { kind: "message", text: line };
  if (line.charCodeAt(1) === SLASH) return { kind: "message", text: line.slice(1) };
  // COMMAND matches every line starting with "/".
  const [, word, rest] = COMMAND.exec(line)!;
  const arg = rest.trim();
  switch (word.toLowerCase()) {
    case "/nick":
      return arg ? { kind: "nick", name: arg } : { kind: "error", line: usage("/nick NAME") };
    case "/join":
      return parseJoin(arg);
    case "/rooms":
      return parsePaged("rooms", arg);
    case "/who":
      return parsePaged("who", arg);
    case "/ping":
      return { kind: "ping" };
    case "/pong":
      return { kind: "pong", token: arg };
    case "/msg":
      return parseMsg(arg);
    case "/me":
      return arg ? { kind: "me", text: arg } : { kind: "error", line: usage("/me action") };
    case "/help":
      return { kind: "help" };
    case "/quit":
      return { kind: "quit", reason: arg };
    default:
      return { kind: "error", line: unknownCommand(word) };
  }
}

/** A page number: strict decimal, from 1; none means the first. */
const PAGE = /^[1-9][0-9]{0,8}$/;

function parsePaged(kind: "who" | "rooms", arg: string): Command {
  if (!arg) return { kind, page: 1 };
  if (!PAGE.test(arg)) return { kind: "error", line: usage(`/${kind} [PAGE]`) };
  return { kind, page: Number(arg) };
}

function parseJoin(arg: string): Command {
  if (!arg) return { kind: "error", line: usage("/join #room") };
  if (!isRoomName(arg)) return { kind: "error", line: invalidRoomName(arg) };
  return { kind: "join", room: arg };
}

function parseMsg(arg: string): Command {
  const m = TARGET.exec(arg);
  if (!m || !m[2]) return { kind: "error", line: usage("/msg NICK text") };
  return { kind: "msg", nick: m[1], text: m[2] };
}
