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
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
    if (soft === undefined || soft === "unlimited") return undefined;
    return Number(soft) - readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}
