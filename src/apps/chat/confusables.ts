/**
 * Nicknames that look alike are the same nickname.
 *
 * Nicknames are ASCII only (nick.ts refuses every other letter once NFKC has
 * folded compatibility forms such as fullwidth `ａ` to `a`), which already
 * keeps out the Cyrillic `а` of `аdmin` and the other Unicode look-alikes.
 * What is left are the look-alikes inside ASCII, the ones Unicode TR39's
 * confusables table lists for these characters: `I`, `l` and `1` (and so
 * `i`); `O`, `o` and `0`; `rn` and `m`. Their *skeleton* maps each group to one form, and
 * two nicknames clash when their skeletons are equal.
 */

/**
 * The skeleton of an ASCII nickname: case folded and look-alikes merged.
 * Why `i` joins `l` too: `I` looks like `l`, and case-insensitivity makes
 * `I` the same as `i`, so all of them must be one.
 *
 * @example
 * skeleton("AdmIn") === skeleton("admln"); // true: I, i, l and 1 look alike
 * skeleton("bob") === skeleton("B0B");     // true
 * skeleton("rnoe") === skeleton("moe");    // true
 */
export function skeleton(nick: string): string {
  return nick.toLowerCase().replace(/[i1]/g, "l").replace(/0/g, "o").replace(/rn/g, "m");
}
