/**
 * A graceful close (the "lingering close" of HTTP servers, RFC 9112 §9.6):
 * what keeps the last lines sent to a peer from being lost.
 *
 * Why: closing a TCP socket whose input has not all been read makes the
 * kernel answer with RST instead of FIN, and so does any data the peer
 * sends after the close. A peer that gets RST while it still writes sees
 * EPIPE or ECONNRESET, and most clients (Node's among them) then drop what
 * they had received but not yet read: the `* goodbye` or `* server
 * shutting down` queued for them. So a close here is:
 *
 * 1. stop handing input to the application (readers see EOF);
 * 2. flush what is queued, then shut down the write side (FIN after it);
 * 3. read and discard the peer's input until its EOF, for at most
 *    CLOSE_DRAIN_BYTES and CLOSE_DRAIN_MS;
 * 4. once the FIN has left (or the bound is reached), close the socket.
 *
 * A peer that behaves sees every byte and a clean end; one that never
 * stops sending or never reads costs a bounded time and nothing else.
 */
import type { Socket as NodeSocket } from "node:net";
import { CancelledError, timeout, TimeoutError, type Coro } from "../loop/index.ts";
import { EVENT_READ, EVENT_WRITE, type Selector, type SelectorKey } from "./selector.ts";

/**
 * How long a closing socket waits for the peer's EOF (and for its own
 * output to leave) before it is closed anyway. Why 2 s: many round trips
 * even on a slow link, yet short enough that a peer that never closes
 * doesn't hold a file descriptor for long.
 */
export const CLOSE_DRAIN_MS = 2000;

/**
 * How many bytes of input a closing socket reads and drops while waiting
 * for the peer's EOF. Why 16 MiB: a client flooding until it sees our EOF
 * has its kernel's send buffer and ours's receive buffer full (Linux grows
 * them to 4 MiB and 6 MiB or more; 3.5 MB per client was measured with 200
 * flooders); beyond that, a peer keeps sending after being told goodbye.
 * Dropping bytes costs little CPU and no memory.
 */
export const CLOSE_DRAIN_BYTES = 16 * 1024 * 1024;

/** How a graceful close may be bounded more tightly than by default. */
export interface CloseOptions {
  /** Wait at most this long for the peer's EOF (default CLOSE_DRAIN_MS). */
  drainMs?: number;
}

/**
 * Steps 3 and 4 of a graceful close: the write side must already be shut
 * down (`end()` called). Runs as its own task; always destroys `node` at
 * the end, whatever happens.
 */
export function* drainAndClose(node: NodeSocket, key: SelectorKey, selector: Selector, drainMs = CLOSE_DRAIN_MS): Coro<void> {
  try {
    yield* timeout(drainMs, discardUntilDone(node, key, selector));
  } catch (error) {
    if (!(error instanceof TimeoutError) && !(error instanceof CancelledError)) throw error;
  } finally {
    node.destroy();
  }
}

function* discardUntilDone(node: NodeSocket, key: SelectorKey, selector: Selector): Coro<void> {
  // Why: a reader that was parked when close() was called is woken by it, but
  // owns the READ slot until that wake-up is delivered; wait for it with it.
  const parked = key.readWaiter;
  if (parked !== null && !parked.done()) yield* parked;
  let dropped = 0;
  while (!key.eof && !key.closed && key.error === null) {
    dropped += key.inbox.discard();
    if (dropped > CLOSE_DRAIN_BYTES) return;
    yield* selector.wait(key, EVENT_READ);
  }
  // Why wait for 'finish': destroying before Node has handed the last bytes
  // and the FIN to the kernel would drop them.
  while (!node.writableFinished && !key.closed && key.error === null) yield* selector.wait(key, EVENT_WRITE);
}
