/**
 * The loop's error types. Each says whose fault it is: `CancelledError` and
 * `TimeoutError` are control flow, `InvalidStateError` and `LoopStateError`
 * are misuse by the caller.
 */

/** Thrown into a task at its suspension point when it is cancelled. */
export class CancelledError extends Error {
  override name = "CancelledError";
  constructor(message = "cancelled") {
    super(message);
  }
}

/** A Future was asked for something its state does not allow. */
export class InvalidStateError extends Error {
  override name = "InvalidStateError";
}

/** An operation did not finish in time (`timeout`, `waitFor`). */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  constructor(message = "timed out", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The loop is closed, already running, or absent where one is needed. */
export class LoopStateError extends Error {
  override name = "LoopStateError";
}

/** One or more children of a TaskGroup failed; `errors` holds each failure. */
export class TaskGroupError extends AggregateError {
  override name = "TaskGroupError";
  constructor(errors: readonly unknown[]) {
    const first = errors[0];
    super(errors, `${errors.length} task(s) of the group failed: ${first instanceof Error ? first.message : String(first)}`, {
      cause: first,
    });
  }
}

/** `putNowait` on a full Queue. */
export class QueueFull extends Error {
  override name = "QueueFull";
}

/** `getNowait` on an empty Queue. */
export class QueueEmpty extends Error {
  override name = "QueueEmpty";
}
