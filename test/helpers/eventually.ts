/**
 * Waiting in a coroutine for something another process or task makes true.
 */
import { sleep, type Coro } from "../../src/loop/index.ts";
import { within } from "../net/helpers.ts";

/** Return once `check()` is true, polling every 20 ms; TimeoutError after `ms`. */
export function* until(check: () => boolean, ms = 5000): Coro<void> {
  yield* within(
    ms,
    (function* () {
      while (!check()) yield* sleep(20);
    })(),
  );
}
