/**
 * Redis stream entry ids (`<ms>-<seq>`), compared as the pair of integers
 * they are: "10-0" comes after "9-5", which string order gets wrong.
 */

/** The id before every entry: XREAD from it reads a stream from its start. */
export const STREAM_START = "0-0";

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = split(a);
  const [bMs, bSeq] = split(b);
  return aMs !== bMs ? (aMs < bMs ? -1 : 1) : aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

function split(id: string): [bigint, bigint] {
  const dash = id.indexOf("-");
  return dash < 0 ? [BigInt(id), 0n] : [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}
