/**
 * Parsing a chat line (decoded, controls already stripped) into a command.
 */
import { isRoomName } from "./room.ts";
import { HELP, invalidRoomName, PONG, unknownCommand, usage } from "./replies.ts";

/** What a line asks for. `error` carries the `! ` line to send back. */
export type Command =
  | { kind: "message"; text: string }
  | { kind: "nick"; name: string }
  | { kind: "join"; room: string; key: string }
  | { kind: "rooms"; page: number }
  | { kind: "who"; page: number }
  | { kind: "ping" }
  | { kind: "pong"; token: string }
  | { kind: "msg"; nick: string; text: string }
  | { kind: "me"; text: string }
  | { kind: "help" }
  | { kind: "quit"; reason: string }
  | { kind: "oper"; password: string }
  | { kind: "kick"; nick: string; reason: string }
  | { kind: "ban"; target: string; minutes: number | undefined }
  | { kind: "bans" }
  | { kind: "unban"; target: string }
  | { kind: "mute"; nick: string; minutes: number | undefined }
  | { kind: "unmute"; nick: string }
  | { kind: "wall"; text: string }
  | { kind: "topic"; text: string }
  | { kind: "key"; key: string }
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
    case "/oper":
      return arg ? { kind: "oper", password: arg } : { kind: "error", line: usage("/oper PASSWORD") };
    case "/kick": {
      const m = TARGET.exec(arg);
      return m ? { kind: "kick", nick: m[1]!, reason: m[2]! } : { kind: "error", line: usage("/kick NICK [reason]") };
    }
    case "/ban":
      return parseTimed("ban", arg, "/ban NICK|ADDRESS [MINUTES]");
    case "/bans":
      return { kind: "bans" };
    case "/unban":
      return oneWord(arg) ? { kind: "unban", target: arg } : { kind: "error", line: usage("/unban ADDRESS") };
    case "/mute":
      return parseTimed("mute", arg, "/mute NICK [MINUTES]");
    case "/unmute":
      return oneWord(arg) ? { kind: "unmute", nick: arg } : { kind: "error", line: usage("/unmute NICK") };
    case "/wall":
      return arg ? { kind: "wall", text: arg } : { kind: "error", line: usage("/wall text") };
    case "/topic":
      return { kind: "topic", text: arg };
    case "/key":
      return oneWord(arg) || !arg ? { kind: "key", key: arg } : { kind: "error", line: usage("/key [KEY]") };
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
  const m = TARGET.exec(arg);
  if (!m || (m[2] && !oneWord(m[2]))) return { kind: "error", line: usage("/join #room [KEY]") };
  if (!isRoomName(m[1]!)) return { kind: "error", line: invalidRoomName(m[1]!) };
  return { kind: "join", room: m[1]!, key: m[2]! };
}

/** Minutes of a ban or a mute: 1 to a year's worth. */
const MINUTES = /^[1-9][0-9]{0,5}$/;
export const MAX_MINUTES = 525_600;

function parseTimed(kind: "ban" | "mute", arg: string, synopsis: string): Command {
  const words = arg.split(/\s+/);
  if (!arg || words.length > 2) return { kind: "error", line: usage(synopsis) };
  const [target, minutes] = words as [string, string | undefined];
  if (minutes !== undefined && (!MINUTES.test(minutes) || Number(minutes) > MAX_MINUTES)) {
    return { kind: "error", line: usage(synopsis) };
  }
  const n = minutes === undefined ? undefined : Number(minutes);
  return kind === "ban" ? { kind, target, minutes: n } : { kind, nick: target, minutes: n };
}

function oneWord(arg: string): boolean {
  return /^\S+$/.test(arg);
}

function parseMsg(arg: string): Command {
  const m = TARGET.exec(arg);
  if (!m || !m[2]) return { kind: "error", line: usage("/msg NICK text") };
  return { kind: "msg", nick: m[1], text: m[2] };
}

/**
 * The whole reply to a command that reads and changes no chat state
 * (`/help`, `/ping`, a usage error), or null for the others.
 *
 * @example
 * immediateReply({ kind: "ping" }); // ["* pong"]
 */
export function immediateReply(command: Command): readonly string[] | null {
  switch (command.kind) {
    case "help":
      return HELP;
    case "ping":
      return [PONG];
    case "pong":
      return []; // A sign of life, which the server has counted already.
    case "error":
      return [command.line];
    default:
      return null;
  }
}

/**
 * Whether a not yet announced sender's room is told of its arrival before
 * this command is handled. Why not these: a probe, a keepalive, a quit, a
 * move or a rename would tell the room of a name (or a room) that is about
 * to go.
 */
export function announcesSender(command: Command): boolean {
  return !SILENT_FIRST.has(command.kind);
}

const SILENT_FIRST: ReadonlySet<Command["kind"]> = new Set(["ping", "pong", "quit", "join", "nick"]);
