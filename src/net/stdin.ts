/**
 * Standard input through the loop's selector, so a terminal program reads
 * its keyboard the same way it reads its sockets.
 */
import type { Readable } from "node:stream";
import { getRunningLoop } from "../loop/index.ts";
import { Receiver } from "./receiver.ts";
import { Selector } from "./selector.ts";
import { StreamReader, type StreamReaderOptions } from "./streams.ts";

/**
 * A StreamReader over `input` (default process.stdin), driven by the selector.
 * Call `close()` on the returned handle to unregister (so the process can exit).
 */
export function openInput(
  input: Readable = process.stdin,
  options?: StreamReaderOptions,
): { reader: StreamReader; close(): void } {
  const selector = Selector.of(getRunningLoop());
  const key = selector.register(input);
  const reader = new StreamReader(new Receiver(key, selector), options);
  return {
    reader,
    close: () => {
      selector.unregister(input);
      input.pause();
      // Why: a paused TTY or pipe still holds a handle that keeps Node alive.
      (input as Readable & { unref?: () => void }).unref?.();
    },
  };
}
