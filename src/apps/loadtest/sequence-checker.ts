/**
 * Per (receiver, sender) sequence tracking for the chat load test: finds
 * every lost, duplicated or reordered message without storing messages.
 *
 * Memory: one Uint32 per pair ("every sequence number below this has been
 * seen") plus, only for pairs that currently have a gap, a short list of
 * the ranges seen above it: 4 bytes x receivers x senders (4 MB for
 * 1000 x 1000) however many messages flow; a gap costs two numbers
 * until it closes.
 *
 * Sequence numbers start at 0 for each sender and go up by one per message.
 */

/** How one arrival was classified. */
export type Arrival = "ok" | "duplicate" | "reordered";

/**
 * Most gaps tracked per pair. Past it, the oldest gap is given up as lost
 * (its numbers join the "seen below next" prefix) so memory stays bounded
 * even against a server that drops every other message.
 * Why 256: far more than a correct server ever has in flight out of order,
 * and 1000 x 1000 pairs cannot reach it all at once without the run
 * already having failed loudly.
 */
const MAX_GAPS_PER_PAIR = 256;
/** Largest sequence number: `next` lives in a Uint32Array and must be able to reach seq + 1. */
const MAX_SEQ = 0xffff_fffe;

/**
 * Classifies each received (receiver, sender, seq) and counts distinct
 * messages, duplicates and reorderings.
 *
 * - duplicate: that receiver already got that seq from that sender;
 * - reordered: not seen before, but lower than the highest seq already
 *   received on that pair (it overtook nothing; something overtook it);
 * - ok: otherwise (including after a gap: the gap is lost or reordered,
 *   which the missing message decides when, or if, it arrives).
 *
 * Limit: once a pair passes MAX_GAPS_PER_PAIR its oldest gap is given up;
 * a message of that gap arriving later counts as a duplicate instead of a
 * reordering (and stays counted as lost). The run fails either way.
 *
 * @example
 * const checker = new SequenceChecker(clients, clients);
 * const arrival = checker.check(receiverId, payload.senderId, payload.seq);
 * // at the end:
 * const lost = checker.lost(expected);
 */
export class SequenceChecker {
  readonly #receivers: number;
  readonly #senders: number;
  /** Per pair: every seq below this has been seen. */
  readonly #next: Uint32Array;
  /** Per pair with a gap: seen seqs above `next` as sorted, disjoint, non-adjacent [start, end) pairs, flattened. */
  readonly #ahead = new Map<number, number[]>();
  #distinct = 0;
  #duplicated = 0;
  #reordered = 0;

  /** @throws RangeError unless both counts are positive integers. */
  constructor(receivers: number, senders: number) {
    if (!isCount(receivers) || !isCount(senders)) throw new RangeError(`invalid sizes ${receivers} x ${senders}`);
    this.#receivers = receivers;
    this.#senders = senders;
    this.#next = new Uint32Array(receivers * senders);
  }

  /** Distinct messages received so far (duplicates not counted). */
  get distinct(): number {
    return this.#distinct;
  }

  /** Arrivals classified as duplicate so far. */
  get duplicated(): number {
    return this.#duplicated;
  }

  /** Arrivals classified as reordered so far. */
  get reordered(): number {
    return this.#reordered;
  }

  /** Expected messages not received: `expected - distinct`, never negative. */
  lost(expected: number): number {
    return Math.max(0, expected - this.#distinct);
  }

  /**
   * Records that `receiver` got message `seq` from `sender`, and classifies it.
   *
   * @throws RangeError if an id is out of range or seq is not an integer in 0..2^32-2.
   */
  check(receiver: number, sender: number, seq: number): Arrival {
    if (!isIndex(receiver, this.#receivers) || !isIndex(sender, this.#senders)) {
      throw new RangeError(`invalid pair receiver ${receiver}, sender ${sender}`);
    }
    if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) throw new RangeError(`invalid sequence number ${seq}`);
    const pair = receiver * this.#senders + sender;
    const next = this.#next[pair] ?? 0;
    if (seq < next) return this.#count("duplicate");
    const ranges = this.#ahead.get(pair);
    if (ranges === undefined) {
      // Why: the fast path for a correct server, no allocation.
      if (seq === next) this.#next[pair] = next + 1;
      else this.#ahead.set(pair, [seq, seq + 1]);
      return this.#count("ok");
    }
    const highestEnd = ranges[ranges.length - 1] ?? 0;
    if (seq >= highestEnd) {
      if (seq === highestEnd) ranges[ranges.length - 1] = seq + 1;
      else ranges.push(seq, seq + 1);
      this.#limitGaps(pair, ranges);
      return this.#count("ok");
    }
    if (seq === next) {
      this.#next[pair] = seq + 1;
      this.#closeFirstGap(pair, ranges);
      return this.#count("reordered");
    }
    const index = firstRangeAfter(ranges, seq);
    if (index > 0 && seq < (ranges[index - 1] ?? 0)) return this.#count("duplicate");
    insertSeen(ranges, index, seq);
    this.#limitGaps(pair, ranges);
    return this.#count("reordered");
  }

  #count(arrival: Arrival): Arrival {
    if (arrival === "duplicate") this.#duplicated++;
    else {
      this.#distinct++;
      if (arrival === "reordered") this.#reordered++;
    }
    return arrival;
  }

  /** If the first seen range now starts at `next`, absorb it into `next`. */
  #closeFirstGap(pair: number, ranges: number[]): void {
    if (ranges[0] !== this.#next[pair]) return;
    this.#next[pair] = ranges[1] ?? 0;
    ranges.splice(0, 2);
    if (ranges.length === 0) this.#ahead.delete(pair);
  }

  /** Gives up the oldest gap when a pair tracks too many. */
  #limitGaps(pair: number, ranges: number[]): void {
    if (ranges.length / 2 <= MAX_GAPS_PER_PAIR) return;
    this.#next[pair] = ranges[0] ?? 0;
    this.#closeFirstGap(pair, ranges);
  }
}

/** Index (in range units, times two) of the first range starting above `seq`. */
function firstRangeAfter(ranges: number[], seq: number): number {
  let low = 0;
  let high = ranges.length / 2;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ranges[2 * mid] ?? 0) > seq) high = mid;
    else low = mid + 1;
  }
  return 2 * low;
}

/** Adds `seq` (not yet seen, between ranges index-2 and index) merging with adjacent ranges. */
function insertSeen(ranges: number[], index: number, seq: number): void {
  const joinsPrevious = index > 0 && ranges[index - 1] === seq;
  const joinsNext = index < ranges.length && ranges[index] === seq + 1;
  if (joinsPrevious && joinsNext) ranges.splice(index - 1, 2);
  else if (joinsPrevious) ranges[index - 1] = seq + 1;
  else if (joinsNext) ranges[index] = seq;
  else ranges.splice(index, 0, seq, seq + 1);
}

function isCount(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

function isIndex(n: number, size: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < size;
}
