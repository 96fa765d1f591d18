/**
 * Nickname rules: what a valid nickname is and when two of them clash.
 */
import { sanitizeText } from "./sanitize.ts";

/** Longest nickname, in characters (all of them ASCII). */
export const NICK_MAX = 24;

const NICK_CHARS = /^[A-Za-z0-9_-]+$/;

/** Outcome of {@link normalizeNick}: the nickname, or why it was refused. */
export type NickResult = { ok: true; nick: string } | { ok: false; reason: string };

/**
 * Validates a requested nickname.
 *
 * Controls, escape sequences and invisible characters are stripped first
 * (see `sanitizeText`), then surrounding whitespace; what remains must be 1
 * to {@link NICK_MAX} letters, digits, `_` or `-`. The reason of a refusal is a sentence fit for a `! ` error line.
 *
 * @example
 * normalizeNick("\x1b[1m alice \x1b[0m"); // { ok: true, nick: "alice" }
 */
export function normalizeNick(raw: string): NickResult {
  const nick = sanitizeText(raw).trim();
  if (nick.length === 0) return { ok: false, reason: "nickname is empty" };
  if (nick.length > NICK_MAX) {
    return { ok: false, reason: `nickname is longer than ${NICK_MAX} characters` };
  }
  if (!NICK_CHARS.test(nick)) {
    return { ok: false, reason: "nickname may only contain letters, digits, _ and -" };
  }
  return { ok: true, nick };
}

/**
 * The key under which a nickname is unique: two nicknames clash when their
 * keys are equal (ASCII case-insensitive).
 *
 * @example
 * nickKey("Alice") === nickKey("aLICE"); // true
 */
export function nickKey(nick: string): string {
  return nick.toLowerCase();
}
