/**
 * Shared helpers for the loop's tests: an event log, loops that record what
 * their exception handler receives, and small coroutines that log.
 */
import { EventLoop, sleep, type Coro, type EventLoopOptions, type ExceptionContext } from "../../src/loop/index.ts";

/** An ordered record of what happened, for ordering assertions. */
export class Log {
  readonly entries: string[] = [];

  push(entry: string): void {
    this.entries.push(entry);
  }

  /** A callback that logs `entry` (for callSoon / callLater). */
  cb(entry: string): () => void {
    return () => this.push(entry);
  }
}

/** A loop whose exception handler collects every report into `reports`. */
export function recordingLoop(options: EventLoopOptions = {}): { loop: EventLoop; reports: ExceptionContext[] } {
  const loop = new EventLoop(options);
  const reports: ExceptionContext[] = [];
  loop.setExceptionHandler((context) => {
    reports.push(context);
  });
  return { loop, reports };
}

/** A loop on the virtual clock that records its exception reports. */
export function virtualLoop(options: Omit<EventLoopOptions, "clock"> = {}): { loop: EventLoop; reports: ExceptionContext[] } {
  return recordingLoop({ ...options, clock: "virtual" });
}

/**
 * Run `main` to completion on a fresh virtual-clock loop, close the loop,
 * and return the result with the loop and what its exception handler got.
 */
export async function runVirtual<T>(
  main: (loop: EventLoop) => Coro<T>,
): Promise<{ value: T; loop: EventLoop; reports: ExceptionContext[] }> {
  const { loop, reports } = virtualLoop();
  try {
    const value = await loop.runUntilComplete(main(loop));
    return { value, loop, reports };
  } finally {
    loop.close();
  }
}

/**
 * Run the loop until nothing is left for it to do, then stop it: with the
 * virtual clock, every live timer fires first (the driver runs its slice
 * synchronously, so by the time a macrotask runs the loop has parked).
 * Used to show that cancelled work left no timer behind.
 */
export async function runUntilIdle(loop: EventLoop): Promise<void> {
  const done = loop.runForever();
  await new Promise<void>((resolve) => setImmediate(resolve));
  loop.stop();
  await done;
}

/** Sleep `ms`, log `label`, return `value`. */
export function* sleepThen<T>(log: Log, ms: number, label: string, value: T): Coro<T> {
  yield* sleep(ms);
  log.push(label);
  return value;
}

/** Sleep `ms`, then throw `error`. */
export function* sleepThenThrow(ms: number, error: unknown): Coro<never> {
  yield* sleep(ms);
  throw error;
}

/** Log `label:start`, sleep `ms`, log `label:end`; logs `label:finally` in any case. */
export function* guardedSleep(log: Log, label: string, ms: number): Coro<void> {
  log.push(`${label}:start`);
  try {
    yield* sleep(ms);
    log.push(`${label}:end`);
  } finally {
    log.push(`${label}:finally`);
  }
}

/** Busy-wait `ms` of real time (to make a callback slow on purpose). */
export function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/**
 * Compare arrays of futures or tasks by identity. Why: `toEqual` walks
 * iterables, and iterating a pending Future runs its `yield*` protocol.
 */
export function identities<T>(items: readonly T[], expected: readonly T[]): boolean {
  return items.length === expected.length && items.every((item, i) => item === expected[i]);
}
