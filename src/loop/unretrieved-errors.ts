/**
 * Errors stored on futures that nobody retrieved (asyncio's "exception was
 * never retrieved"). Each is reported exactly once: when its future is
 * garbage-collected (as asyncio does from `__del__`), or when the loop closes,
 * whichever comes first; retrieving the error cancels the report.
 */
import type { ExceptionContext } from "./event-loop.ts";

interface Pending {
  readonly message: string;
  readonly exception: unknown;
  /** Weak, so tracking never keeps a future alive. */
  readonly ref: WeakRef<object>;
}

export class UnretrievedErrors {
  readonly #report: (context: ExceptionContext) => void;
  readonly #pending = new Set<Pending>();
  readonly #byFuture = new WeakMap<object, Pending>();
  readonly #registry = new FinalizationRegistry<Pending>((pending) => this.#settle(pending));

  constructor(report: (context: ExceptionContext) => void) {
    this.#report = report;
  }

  track(future: object, exception: unknown): void {
    const pending = { message: `${String(future)}: exception was never retrieved`, exception, ref: new WeakRef(future) };
    this.#pending.add(pending);
    this.#byFuture.set(future, pending);
    this.#registry.register(future, pending, future);
  }

  untrack(future: object): void {
    const pending = this.#byFuture.get(future);
    if (pending === undefined) return;
    this.#byFuture.delete(future);
    this.#pending.delete(pending);
    this.#registry.unregister(future);
  }

  /** Report every failure still unretrieved (the loop is closing). */
  reportAll(): void {
    for (const pending of this.#pending) {
      const future = pending.ref.deref();
      if (future !== undefined) {
        this.#byFuture.delete(future);
        this.#registry.unregister(future);
      }
      this.#settle(pending);
    }
  }

  #settle(pending: Pending): void {
    if (!this.#pending.delete(pending)) return; // Why: GC and close may race; report once.
    this.#report({ message: pending.message, exception: pending.exception });
  }
}
