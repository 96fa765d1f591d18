/**
 * How many more file descriptors this process may open: the soft
 * RLIMIT_NOFILE (`ulimit -n`) minus those open now. Read from Linux's
 * /proc; elsewhere unknown (undefined), and a server then only finds out
 * through EMFILE.
 *
 * Why a server wants it: past the limit, accept() fails with EMFILE and
 * libuv closes the connection at once, so the peer gets no word of why. A
 * server that knows its room keeps some in reserve and answers the
 * connections it can't serve (`! server full`) while it still can.
 */
import { readdirSync, readFileSync } from "node:fs";

/**
 * File descriptors still free now, or undefined where /proc can't say.
 * Costs a directory listing: call it once (at start), not per connection.
 * @example
 * const room = freeFileDescriptors(); // 38 under `ulimit -n 64`
 */
export function freeFileDescriptors(): number | undefined {
  const limit = fileDescriptorLimit();
  const open = openFileDescriptors();
  return limit === undefined || open === undefined ? undefined : limit - open;
}

/** The soft limit on open files (`ulimit -n`), or undefined when unlimited or where /proc can't say. */
export function fileDescriptorLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** File descriptors open now (not counting the one that lists them), or undefined where /proc can't say. */
export function openFileDescriptors(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length - 1;
  } catch {
    return undefined;
  }
}
