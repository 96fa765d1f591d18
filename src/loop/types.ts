/**
 * The types every coroutine in boucle speaks (and the one brand symbol).
 *
 * A coroutine is a generator. It talks to the loop by yielding a
 * {@link Yieldable}: nothing (a bare `yield` gives the turn back), a
 * {@link Waitable} (park until it is done) or a native Promise (bridged).
 * It waits on other coroutines and awaitables with `yield*`, so results are
 * typed: `const n: number = yield* someFuture`.
 */

/** Brand carried by things a task can park on (Futures and Tasks). */
export const WAITABLE: unique symbol = Symbol("boucle.waitable");

/**
 * Something a task can park on until it is done. Only Futures implement it;
 * the brand keeps a forgotten `*` (`yield child()`) a compile error.
 */
export interface Waitable {
  readonly [WAITABLE]: true;
}

/**
 * What a coroutine may yield to the loop. Kept non-generic on purpose: a
 * generic `Future<unknown>` here breaks on variance.
 */
export type Yieldable = Waitable | PromiseLike<unknown> | undefined | void;

/**
 * What a task sends into a coroutine it resumes after a bare `yield` (so the
 * value of a bare `yield` expression is this symbol, not undefined: it means
 * nothing else). It lets `release()` be one shared object (see coroutines.ts).
 */
export const RESUMED: unique symbol = Symbol("boucle.resumed");

/** A coroutine returning `T`: the call of a `function*`. */
export type Coro<T> = Generator<Yieldable, T, unknown>;

/** Anything `yield*` can wait on and that gives back a `T`. */
export interface Awaitable<T> {
  [Symbol.iterator](): Iterator<Yieldable, T, unknown>;
}

/** The result type of an awaitable or coroutine. */
export type ResultOf<A> = A extends Awaitable<infer T> ? T : never;
