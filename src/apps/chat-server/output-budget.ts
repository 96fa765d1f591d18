/**
 * One budget for the output every client's peer has not taken yet, across
 * all clients: the per-client bound (`--max-queue`) alone lets 10 000 slow
 * readers hold 10 GB. Under pressure the largest queues are evicted first,
 * as slow readers, so memory stays bounded whatever their number.
 *
 * Why an estimate and a sweep: what Node holds for a socket shrinks as the
 * kernel takes it, with no call we could count. So every queued byte is
 * added to an estimate (an upper bound, never lowered by draining), and
 * only when the estimate passes the budget are the real queues measured,
 * in one pass over the clients. If they hold more than LOW_WATER of the
 * budget, the largest are dropped until they hold at most that. So the
 * real total never passes the budget (the estimate would have passed it
 * first), and after a sweep at least a tenth of the budget must be written
 * before the next one: writing stays O(1) per line.
 */

/** A client as the budget sees it; implemented by ChatClient. */
export interface QueuedOutput {
  /** Bytes held for this client that its peer has not taken. */
  queuedBytes(): number;
  /** Drop the client as a slow reader (what is queued for it is freed). */
  evict(): void;
}

/** After a sweep, the queues left hold at most this share of the budget. */
export const LOW_WATER = 0.9;

/**
 * The server-wide bound on unsent output (see the module comment).
 *
 * @example
 * const budget = new OutputBudget(256 * 1024 * 1024);
 * budget.add(client);
 * budget.charge(line.length); // after queueing a line for client
 */
export class OutputBudget {
  readonly maxBytes: number;
  readonly #clients = new Set<QueuedOutput>();
  #estimate = 0;
  #evicted = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Clients evicted by the budget so far. */
  get evicted(): number {
    return this.#evicted;
  }

  add(client: QueuedOutput): void {
    this.#clients.add(client);
  }

  delete(client: QueuedOutput): void {
    this.#clients.delete(client);
  }

  /** Count `bytes` just queued for some client; sweeps if the estimate passes the budget. */
  charge(bytes: number): void {
    this.#estimate += bytes;
    if (this.#estimate > this.maxBytes) this.sweep();
  }

  /**
   * Measure every queue; if together they hold more than LOW_WATER of the
   * budget, evict the largest until the rest fit under it.
   * @returns the bytes still queued.
   */
  sweep(): number {
    const queues: [QueuedOutput, number][] = [];
    let total = 0;
    for (const client of this.#clients) {
      const bytes = client.queuedBytes();
      if (bytes === 0) continue;
      queues.push([client, bytes]);
      total += bytes;
    }
    const target = this.maxBytes * LOW_WATER;
    // Why evict above LOW_WATER, not only above the budget: a sweep that
    // left 99% queued would let the next few KB written start another.
    if (total > target) {
      queues.sort((a, b) => b[1] - a[1]);
      for (const [client, bytes] of queues) {
        if (total <= target) break;
        client.evict();
        this.#evicted++;
        total -= bytes;
      }
    }
    this.#estimate = total;
    return total;
  }
}
