/**
 * Operator authentication: one server-wide password (from the environment
 * or a file, never the command line, where `ps` shows it to every user),
 * compared in constant time, with attempts rate-limited per address.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { TokenBucket } from "./token-bucket.ts";

/** What became of an `/oper` attempt. */
export type OperAttempt = "ok" | "wrong" | "slow down" | "disabled";

/**
 * Attempts per address: 3 at once, then one per 10 s. Why: a person who
 * mistypes gets two more tries; a guesser gets 8 640 a day, hopeless
 * against any password worth the name.
 */
export const OPER_ATTEMPT_BURST = 3;
export const OPER_ATTEMPTS_PER_SEC = 0.1;

/**
 * Whether two secrets are equal, in a time that does not depend on where
 * they differ nor on their lengths (both are hashed to 32 bytes first).
 *
 * @example
 * secretsEqual("hunter2", "hunter2"); // true
 */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Checks `/oper` passwords.
 *
 * @example
 * const auth = new OperatorAuth(process.env["BOUCLE_OPER_PASSWORD"], () => loop.time());
 * auth.attempt("127.0.0.1", "hunter2"); // "ok", "wrong", "slow down" or "disabled"
 */
export class OperatorAuth {
  readonly #password: string | undefined;
  readonly #now: () => number;
  readonly #attempts = new Map<string, TokenBucket>();

  /** `password` undefined or empty: no one can become an operator. */
  constructor(password: string | undefined, now: () => number) {
    this.#password = password === "" ? undefined : password;
    this.#now = now;
  }

  /** One attempt from address group `group`; a refused one still costs. */
  attempt(group: string, password: string): OperAttempt {
    if (this.#password === undefined) return "disabled";
    let bucket = this.#attempts.get(group);
    if (!bucket) {
      // Why no sweep: one small entry per address that ever tried, bounded by the connect limits.
      bucket = new TokenBucket({ ratePerSec: OPER_ATTEMPTS_PER_SEC, burst: OPER_ATTEMPT_BURST, now: this.#now });
      this.#attempts.set(group, bucket);
    }
    if (!bucket.take()) return "slow down";
    return secretsEqual(password, this.#password) ? "ok" : "wrong";
  }
}
