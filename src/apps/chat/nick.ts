/**
 * Nickname rules: what a valid nickname is and when two of them clash.
 */
import { skeleton } from "./confusables.ts";
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
 * (see `sanitizeText`), then compatibility forms folded (NFKC: fullwidth
 * `ａｄａ` is `ada`), then surrounding whitespace; what remains must be 1 to
 * {@link NICK_MAX} ASCII letters, digits, `_` or `-`, so no look-alike from
 * another script (the Cyrillic `а` of `аdmin`) gets through. The reason of a
 * refusal is a sentence fit for a `! ` error line.
 *
 * @example
 * normalizeNick("\x1b[1m alice \x1b[0m"); // { ok: true, nick: "alice" }
 * normalizeNick("\u0430dmin");             // { ok: false, ... }: Cyrillic а
 */
export function normalizeNick(raw: string): NickResult {
  const nick = sanitizeText(raw).normalize("NFKC").trim();
  if (nick.length === 0) return { ok: false, reason: "nickname is empty" };
  if (nick.length > NICK_MAX) {
    return { ok: false, reason: `nickname is longer than ${NICK_MAX} characters` };
  }
  if (!NICK_CHARS.test(nick)) {
    return { ok: false, reason: "nickname may only contain ASCII letters, digits, _ and -" };
  }
  return { ok: true, nick };
}

/**
 * The key under which a nickname is unique: two nicknames clash when they
 * look alike, case and ASCII look-alikes folded (see confusables.ts).
 *
 * @example
 * nickKey("Alice") === nickKey("aLICE"); // true
 * nickKey("bob1") === nickKey("B0Bl");   // true
 */
export function nickKey(nick: string): string {
  return skeleton(nick);
}
