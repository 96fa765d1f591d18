/**
 * Colouring server lines for the terminal: each nickname gets a stable
 * colour picked by a hash of its name (case-insensitive, as nicknames are),
 * errors are red. Lines are stripped of control characters first, whatever
 * the colour setting: the server should already have done it, but a
 * terminal client never trusts the wire.
 */
import { stripControls } from "../chat/sanitize.ts";

const RESET = "\x1b[0m";
const RED = "\x1b[31m";
const DIM = "\x1b[2m";

/**
 * Foreground colours for nicknames: the 6 plain colours and their bright
 * versions, red excluded (it means "error").
 */
const NICK_COLORS = [32, 33, 34, 35, 36, 92, 93, 94, 95, 96].map((n) => `\x1b[${n}m`);

const NICK = "[A-Za-z0-9_-]{1,24}";
/** `<nick> text` and `[nick] text`. */
const MESSAGE = new RegExp(`^([<\\[])(${NICK})([>\\]] )`);
/** `* to nick: text` (a private message we sent). */
const SENT_TO = new RegExp(`^(\\* to )(${NICK})(: )`);
/** `* welcome, you are nick ...` and `* you are already nick`. */
const YOU_ARE = new RegExp(`^(\\* (?:welcome, )?you are (?:already )?)(${NICK})(\\b)`);
/** `* old is now known as new`. */
const RENAMED = new RegExp(`^(\\* )(${NICK})( is now known as )(${NICK})$`);
/** `* nick joined ...`, `* nick left ...`, `** nick waves` (/me). */
const ACTION = new RegExp(`^(\\*\\*? )(${NICK})( )`);
/** Notices whose first word is not a nickname. */
const NOT_NICKS = new Set(["you", "server", "to", "welcome"]);
/** `* 2 rooms: ...` (the count looks like a nickname). */
const ROOMS = /^\* \d+ rooms?: /;

/**
 * The colour escape for `nick`: FNV-1a of its lower-case form picks one of
 * the palette's colours, so everyone sees the same nick in the same colour
 * whatever its case.
 */
export function nickColor(nick: string): string {
  let hash = 0x811c9dc5;
  for (const ch of nick.toLowerCase()) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NICK_COLORS[hash % NICK_COLORS.length]!;
}

function paint(nick: string): string {
  return nickColor(nick) + nick + RESET;
}

/**
 * A server line ready to print: controls stripped, and with `color`, the
 * nicknames of `<nick>`, `[nick]` and `* nick ...` lines coloured and `! `
 * errors in red.
 * @example
 * formatServerLine("<ada> hi", true); // "<\x1b[..mada\x1b[0m> hi"
 */
export function formatServerLine(line: string, color: boolean): string {
  const clean = stripControls(line);
  if (!color) return clean;
  if (clean.startsWith("! ")) return RED + clean + RESET;
  let m = MESSAGE.exec(clean);
  if (m !== null) return m[1]! + paint(m[2]!) + m[3]! + clean.slice(m[0].length);
  m = RENAMED.exec(clean);
  if (m !== null) return m[1]! + paint(m[2]!) + m[3]! + paint(m[4]!);
  m = SENT_TO.exec(clean) ?? YOU_ARE.exec(clean);
  if (m !== null) return m[1]! + paint(m[2]!) + m[3]! + clean.slice(m[0].length);
  m = ACTION.exec(clean);
  if (m !== null && !ROOMS.test(clean) && !NOT_NICKS.has(m[2]!.toLowerCase())) return m[1]! + paint(m[2]!) + m[3]! + clean.slice(m[0].length);
  return clean;
}

/** A line of our own (what we typed), dimmed when colours are on. */
export function formatOwnLine(line: string, color: boolean): string {
  return color ? DIM + line + RESET : line;
}
