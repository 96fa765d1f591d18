/**
 * Nickname rules: what a valid nickname is, when two of them clash, and how
 * often a member may change its own.
 */
import { skeleton } from "./confusables.ts";
import { error, sameNick } from "./replies.ts";
import { sanitizeText } from "./sanitize.ts";
import { TokenBucket } from "./token-bucket.ts";

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

/** Outcome of {@link checkRename}: the new nickname, or the one line to answer. */
export type RenameCheck = { ok: true; nick: string } | { ok: false; reply: string };

/**
 * The checks of `/nick NAME` that need no registry: the name is valid and
 * is not the one `current` already has (a change of case is a change).
 *
 * @example
 * checkRename("bob", "bob");  // { ok: false, reply: "* you are already bob" }
 * checkRename(" Bob ", "bob"); // { ok: true, nick: "Bob" }
 */
export function checkRename(requested: string, current: string): RenameCheck {
  const result = normalizeNick(requested);
  if (!result.ok) return { ok: false, reply: error(result.reason) };
  if (result.nick === current) return { ok: false, reply: sameNick(result.nick) };
  return result;
}

/**
 * Nickname changes: 3 at once, then one per 10 s. Why apart from the flood
 * bucket: each change is told to a whole room, and a rename is never urgent.
 */
export const NICK_BURST = 3;
export const NICK_RATE_PER_SEC = 0.1;

/** A member's allowance of nickname changes (see {@link NICK_BURST}); `now` in ms. */
export function nickChangeLimit(now: () => number): TokenBucket {
  return new TokenBucket({ ratePerSec: NICK_RATE_PER_SEC, burst: NICK_BURST, now });
}
