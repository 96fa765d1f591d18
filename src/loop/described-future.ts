/**
 * DescribedFuture: a Future that says what it stands for, so a trace or a
 * task dump can name what a task is parked on ("socket read
 * 127.0.0.1:5123", "queue get"). The owner is formatted only when asked:
 * creating one costs two fields, never a string.
 */
import type { EventLoop } from "./event-loop.ts";
import { Future } from "./future.ts";

export class DescribedFuture<T> extends Future<T> {
  constructor(
    loop: EventLoop,
    /** What kind of wait: "socket read", "lock", "queue get"... */
    readonly kind: string,
    /** Whose: stringified when described (an address, a name). */
    readonly owner?: { toString(): string },
  ) {
    super(loop);
  }

  override label(): string {
    return this.owner === undefined ? this.kind : `${this.kind} ${String(this.owner)}`;
  }
}
