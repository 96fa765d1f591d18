/**
 * gather: run awaitables concurrently, collect their results in argument
 * order, with asyncio's semantics.
 */
import { CancelledError } from "./errors.ts";
import { ensureFuture } from "./coroutines.ts";
import { Future } from "./future.ts";
import { getRunningLoop } from "./running.ts";
import type { Awaitable, ResultOf } from "./types.ts";

/** The results of a tuple of awaitables, position by position. */
export type Results<A extends readonly Awaitable<unknown>[]> = { -readonly [K in keyof A]: ResultOf<A[K]> };
/** With `returnExceptions`, a position holds its value or its error. */
export type Settled<A extends readonly Awaitable<unknown>[]> = { -readonly [K in keyof A]: ResultOf<A[K]> | unknown };

export interface GatherOptions {
  /** Put errors (and CancelledErrors) in the results instead of failing. */
  returnExceptions?: boolean;
}

/**
 * Run `awaitables` concurrently: coroutines become tasks, futures are awaited
 * as they are. The first failure fails the gather (the others keep running,
 * as in asyncio; prefer TaskGroup to cancel them). Cancelling the gather
 * cancels every child that is not done.
 * @example
 * const [n, s] = yield* gather(countTo(3), fetchName()); // [number, string]
 */
export function gather<A extends readonly Awaitable<unknown>[]>(...awaitables: A): GatheringFuture<Results<A>> {
  return gatherWith({}, ...awaitables) as GatheringFuture<Results<A>>;
}

/**
 * `gather` with options.
 * @example
 * const settled = yield* gatherWith({ returnExceptions: true }, a(), b());
 */
export function gatherWith<A extends readonly Awaitable<unknown>[]>(
  options: GatherOptions,
  ...awaitables: A
): GatheringFuture<Settled<A>> {
  const loop = getRunningLoop();
  const children = awaitables.map((a) => ensureFuture(a, loop));
  return new GatheringFuture(children, options.returnExceptions === true) as GatheringFuture<Settled<A>>;
}

/** The future gather returns: cancelling it cancels its children. */
export class GatheringFuture<T> extends Future<T> {
  readonly #children: readonly Future<unknown>[];
  #cancelRequested = false;

  override label(): string {
    return `gather (${this.#children.length})`;
  }

  /** @internal */
  constructor(children: readonly Future<unknown>[], returnExceptions: boolean) {
    super(getRunningLoop());
    this.#children = children;
    if (children.length === 0) {
      this.setResult([] as T);
      return;
    }
    let finished = 0;
    const onChildDone = (child: Future<unknown>): void => {
      finished++;
      if (this.done()) {
        if (!child.cancelled()) child.exception(); // Why: the gather already failed; don't report this one.
        return;
      }
      if (!returnExceptions) {
        if (child.cancelled()) return this.setException(new CancelledError(child.cancelMessage()));
        if (child.failed()) return this.setException(child.exception());
      }
      if (finished < children.length) return;
      if (this.#cancelRequested) return void super.cancel();
      this.setResult(children.map(settledValue) as T);
    };
    for (const child of children) child.addDoneCallback(onChildDone);
  }

  override cancel(message?: string): boolean {
    if (this.done()) return false;
    let any = false;
    for (const child of this.#children) if (child.cancel(message)) any = true;
    if (any) this.#cancelRequested = true; // Why: done once the children have finished cancelling.
    return any;
  }
}

function settledValue(child: Future<unknown>): unknown {
  if (child.cancelled()) return new CancelledError(child.cancelMessage());
  return child.failed() ? child.exception() : child.result();
}
