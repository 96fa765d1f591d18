/**
 * The same-order check of a chat load test over several servers: every
 * receiver of the room must see the room's messages in one order (not only
 * each sender's in its own order). A receiver never gets its own messages,
 * so no receiver sees them all; each one is compared with three reference
 * receivers on the messages both of them got, which covers every pair of
 * messages as long as the room has four members or more.
 *
 * Memory is bounded: each receiver logs at most its share of
 * ORDER_LOG_BUDGET deliveries (the first ones); later ones are not checked.
 */

/** Deliveries logged over all receivers: 8 bytes each, so 32 MB at most. */
export const ORDER_LOG_BUDGET = 4_000_000;
const REFERENCES = 3;
/** Sequence numbers fit in 32 bits, so sender x 2^32 + seq is exact in a double. */
const SENDER_SHIFT = 2 ** 32;

export class OrderChecker {
  readonly #logs: Float64Array[];
  readonly #lengths: Uint32Array;

  constructor(receivers: number) {
    const perReceiver = Math.max(1, Math.floor(ORDER_LOG_BUDGET / receivers));
    this.#logs = Array.from({ length: receivers }, () => new Float64Array(perReceiver));
    this.#lengths = new Uint32Array(receivers);
  }

  /** `receiver` got `seq` of `sender` (not a duplicate). */
  record(receiver: number, sender: number, seq: number): void {
    const log = this.#logs[receiver]!;
    const length = this.#lengths[receiver]!;
    if (length < log.length) {
      log[length] = sender * SENDER_SHIFT + seq;
      this.#lengths[receiver] = length + 1;
    }
  }

  /**
   * The receivers (among `participants`) whose order disagrees with a
   * reference receiver's on the messages both got.
   * @example
   * const differing = checker.differing([0, 1, 2, 3]); // [] when every receiver saw one order
   */
  differing(participants: readonly number[]): number[] {
    const references = participants.slice(0, REFERENCES);
    const out: number[] = [];
    for (const receiver of participants) {
      if (references.some((reference) => reference !== receiver && !this.#agree(receiver, reference))) out.push(receiver);
    }
    return out;
  }

  /**
   * Whether `a` and `b` saw the messages both logged in the same order.
   * Why limit to the shorter log's reach: past the end of a full log a
   * receiver's later messages are simply not there, which is not a difference.
   */
  #agree(a: number, b: number): boolean {
    const inA = new Set(this.#view(a));
    const inB = new Set(this.#view(b));
    const common = (mine: Float64Array, other: Set<number>): number[] => Array.from(mine).filter((key) => other.has(key));
    const fromA = common(this.#view(a), inB);
    const fromB = common(this.#view(b), inA);
    return fromA.length === fromB.length && fromA.every((key, i) => key === fromB[i]);
  }

  #view(receiver: number): Float64Array {
    return this.#logs[receiver]!.subarray(0, this.#lengths[receiver]);
  }
}
