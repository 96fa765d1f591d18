/**
 * Waiting on several futures at once: `wait` (asyncio's, returning what is
 * done and what is pending), `race` (the first outcome wins, the rest are
 * cancelled and waited for) and `cancelAndWait` (cancel, then wait until
 * cancelled work has really finished: its `finally` blocks have run).
 */
import { ensureFuture } from "./coroutines.ts";
import { DescribedFuture } from "./described-future.ts";
import type { Future } from "./future.ts";
import { getRunningLoop } from "./running.ts";
import type { Awaitable, Coro, ResultOf } from "./types.ts";

/**
 * When `wait` returns: `"first"` once any future is done, `"firstException"`
 * once any fails (or all are done), `"all"` once all are done.
 */
export type ReturnWhen = "first" | "firstException" | "all";

export interface WaitOptions {
  /** Default `"all"`. */
  returnWhen?: ReturnWhen;
  /** Return after this long (ms, loop time) whatever is done; nothing is cancelled. */
  timeoutMs?: number;
}

export interface WaitResult<T> {
  done: Set<Future<T>>;
  pending: Set<Future<T>>;
}

/**
 * Wait until `returnWhen` holds (coroutines become tasks), then return the
 * futures split into done and pending. It cancels nothing and throws none
 * of their errors: read them from the futures.
 * @throws RangeError if `awaitables` is empty.
 * @example
 * const { done, pending } = yield* wait([fetchA(), fetchB()], { returnWhen: "first" });
 */
export function* wait<T>(awaitables: Iterable<Awaitable<T>>, options: WaitOptions = {}): Coro<WaitResult<T>> {
  const loop = getRunningLoop();
  const futures = [...awaitables].map((a) => ensureFuture(a, loop));
  if (futures.length === 0) throw new RangeError("wait() needs at least one awaitable");
  const returnWhen = options.returnWhen ?? "all";
  let left = futures.filter((f) => !f.done()).length;
  const satisfied = (): boolean =>
    left === 0 ||
    (returnWhen === "first" && left < futures.length) ||
    (returnWhen === "firstException" && futures.some((f) => f.failed()));
  if (!satisfied()) {
    const wake = new DescribedFuture<void>(loop, "wait", returnWhen);
    const onDone = (): void => {
      left--;
      if (!wake.done() && satisfied()) wake.setResult();
    };
    for (const future of futures) if (!future.done()) future.addDoneCallback(onDone);
    const timer =
      options.timeoutMs === undefined ? null : loop.callLater(options.timeoutMs, () => wake.done() || wake.setResult());
    try {
      yield* wake;
    } finally {
      timer?.cancel();
      for (const future of futures) future.removeDoneCallback(onDone);
    }
  }
  const result: WaitResult<T> = { done: new Set(), pending: new Set() };
  for (const future of futures) (future.done() ? result.done : result.pending).add(future);
  return result;
}

/**
 * Run `awaitables` concurrently; the first to finish decides: its value is
 * returned, its error thrown. The others are cancelled and waited for
 * before `race` returns (or, if `race` itself is cancelled, all of them).
 * On ties (several done in the same iteration) the first in argument order wins.
 * @example
 * const reply = yield* race(reader.readline(), sleepThenThrow(5_000)); // Buffer
 */
export function* race<A extends readonly Awaitable<unknown>[]>(...awaitables: A): Coro<ResultOf<A[number]>> {
  const loop = getRunningLoop();
  const futures = awaitables.map((a) => ensureFuture(a, loop));
  try {
    yield* wait(futures, { returnWhen: "first" });
    const winner = futures.find((f) => f.done())!;
    return winner.result() as ResultOf<A[number]>;
  } finally {
    yield* cancelAndWait(futures.filter((f) => !f.done()));
  }
}

/**
 * Cancel `futures` and wait until each is done: a cancelled task's
 * `finally` blocks have run when this returns. Returns the errors they
 * failed with instead of being cancelled (read, so not reported again), in
 * order; their cancellations are not errors.
 * @example
 * const errors = yield* cancelAndWait(clients);
 * for (const error of errors) loop.callExceptionHandler({ message: "client failed while cancelled", exception: error });
 */
export function* cancelAndWait(futures: Iterable<Future<unknown>>, message?: string): Coro<unknown[]> {
  const list = [...futures];
  for (const future of list) future.cancel(message);
  const pending = list.filter((f) => !f.done());
  if (pending.length > 0) yield* wait(pending);
  return list.filter((f) => f.failed()).map((f) => f.exception());
}
