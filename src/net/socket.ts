/**
 * Socket: a connected TCP socket driven by coroutines (asyncio's low-level
 * `sock_recv` / `sock_sendall`, as one object). What Node receives waits
 * in the selector key's inbox until a coroutine reads it; the selector only
 * tells us when to retry.
 *
 * Writes are coalesced: what coroutines write while the loop runs is
 * collected and handed to Node once, when the loop gives Node its turn
 * (one system call per socket per turn instead of one per message; see
 * src/loop/event-loop.ts).
 *
 * While the peer is behind (Node's buffer is over its high-water mark),
 * what is written stays here, as written, until Node drains. Why not hand
 * it over anyway: Node would only queue it, one joined copy per socket,
 * and destroying a socket makes one error object per queued write; kept
 * here, a buffer written to many sockets (a chat line fanned out) stays
 * one copy however many peers lag, and dropping a peer is O(1).
 */
import type { Socket as NodeSocket } from "node:net";
import { CancelledError, timeout, TimeoutError, type Coro } from "../loop/index.ts";
import { BrokenPipeError, ClosedError, formatAddress, TlsHandshakeError, type NetAddress } from "./errors.ts";
import { drainAndClose, type CloseOptions } from "./graceful-close.ts";
import { Receiver, type ByteSource } from "./receiver.ts";
import { EVENT_READ, EVENT_WRITE, type Flushable, type Selector, type SelectorKey } from "./selector.ts";
import { handshakeError } from "./tls.ts";

/**
 * Writers wait (`drain`) once more than this is buffered, ours plus Node's:
 * asyncio's default high-water mark. Big enough to keep a fast link busy,
 * small enough that a peer that never reads costs little memory.
 */
export const WRITE_HIGH_WATER = 64 * 1024;

/**
 * A connected TCP socket for coroutines: `recv` waits for bytes, `write`
 * queues them (sent when the loop gives Node its turn), `drain` waits while too
 * much is buffered. Errors arrive as typed NetErrors at the next read or
 * write. Usually wrapped in a StreamReader / StreamWriter (`streamsOf`).
 * @example
 * const socket = yield* connect({ host: "127.0.0.1", port: 7007 });
 * socket.write("ping\n");
 * yield* socket.drain();
 * const reply = yield* socket.recv(1024);
 */
export class Socket implements ByteSource, Flushable {
  readonly #node: NodeSocket;
  readonly #selector: Selector;
  readonly #key: SelectorKey;
  readonly #receiver: Receiver;
  /** Which side of a TLS connection this is, or null for plain TCP. */
  readonly #tls: "server" | "client" | null;
  /** TLS only: the handshake is done ('secure' / 'secureConnect' was seen). */
  #secured = false;
  /**
   * What was written and not yet handed to Node: the one chunk, or (from
   * the second on) all of them in #outAll. Why a field for the first: most
   * flushes carry one chunk (an echo, a chat member's run of lines), which
   * then costs no array.
   */
  #outFirst: string | Uint8Array | null = null;
  #outAll: (string | Uint8Array)[] | null = null;
  #outBytes = 0;
  #outAllStrings = true;
  #flushScheduled = false;
  /** True while the output is held back until Node drains. */
  #holding = false;
  #writeClosed = false;
  #closing = false;
  /** The peer's address, kept: Node forgets it once the socket is destroyed. */
  readonly remote: NetAddress;

  /** @internal use `connect`, `Server.accept` or `openConnection` */
  constructor(node: NodeSocket, selector: Selector, remote?: NetAddress, tls: "server" | "client" | null = null) {
    this.#node = node;
    this.#tls = tls;
    this.#selector = selector;
    this.#key = selector.register(node);
    if (tls !== null) {
      // Why here: the event may come before anyone waits, and only TLS sockets need the listener.
      node.once(tls === "server" ? "secure" : "secureConnect", () => {
        this.#secured = true;
        selector.notify(this.#key, EVENT_READ); // The handshake waits as a reader.
      });
    }
    this.#receiver = new Receiver(this.#key, selector);
    // Why `remote` from connect: a socket still connecting has no remoteAddress yet.
    this.remote = remote ?? { host: node.remoteAddress, port: node.remotePort };
    this.#key.address = this.remote;
  }

  /** The underlying Node socket (for options such as `setKeepAlive`). */
  get nodeSocket(): NodeSocket {
    return this.#node;
  }

  /** True for a TLS connection (whose handshake may still be under way). */
  get isTls(): boolean {
    return this.#tls !== null;
  }

  /**
   * Wait until the TLS handshake is done (at once for plain TCP, or when
   * it is). `startServer` and `connect` call it; a Socket from
   * `Server.accept()` on a TLS server may call it before trusting the peer.
   * @throws TlsHandshakeError (CertificateError for a refused certificate)
   *   with the peer's address, when it fails or takes over `timeoutMs`.
   */
  *handshake(timeoutMs?: number): Coro<void> {
    if (this.#tls === null || this.#secured) return;
    const remote = this.remote;
    try {
      yield* timeoutMs === undefined ? this.#waitSecured() : timeout(timeoutMs, this.#waitSecured());
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new TlsHandshakeError(`TLS handshake not done after ${timeoutMs} ms`, "ETIMEDOUT", remote, { cause: error });
      }
      if (error instanceof Error && !(error instanceof CancelledError)) throw handshakeError(error, remote);
      throw error;
    }
  }

  *#waitSecured(): Coro<void> {
    const key = this.#key;
    while (!this.#secured) {
      if (key.error !== null) throw key.error;
      if (key.closed || key.eof) throw new TlsHandshakeError("the peer closed the connection during the TLS handshake", "ECONNRESET", this.remote);
      yield* this.#selector.wait(key, EVENT_READ);
    }
  }

  /** Up to `maxBytes` bytes, waiting until some arrive; an empty Buffer at EOF. */
  recv(maxBytes: number): Coro<Buffer> {
    return this.#receiver.recv(maxBytes);
  }

  /**
   * Queue `data`; it leaves when the loop next gives Node its turn, together
   * with everything else written to this socket meanwhile. Never blocks: call
   * `drain()` to respect backpressure.
   * @throws the socket's error (e.g. ConnectionResetError), or ClosedError after close.
   */
  write(data: string | Uint8Array): void {
    if (this.#key.error !== null) throw this.#key.error;
    if (this.#writeClosed || this.#key.closed) throw new ClosedError("write to a closed socket", "ERR_SOCKET_CLOSED", this.remote);
    if (this.#outFirst === null) this.#outFirst = data;
    else if (this.#outAll === null) this.#outAll = [this.#outFirst, data];
    else this.#outAll.push(data);
    if (typeof data === "string") {
      this.#outBytes += Buffer.byteLength(data);
    } else {
      this.#outBytes += data.byteLength;
      this.#outAllStrings = false;
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#selector.scheduleFlush(this);
    }
    // Why: a slice's output waits for the slice's end, however long it runs;
    // past the high-water mark it is handed over (or held) now, so Node's
    // buffer stays small and a peer that is behind gets its output held.
    if (this.#outBytes > WRITE_HIGH_WATER) this.#handOver();
  }

  /** Bytes written but not yet sent to the peer (ours and Node's). */
  bufferedBytes(): number {
    return this.#outBytes + this.#node.writableLength;
  }

  /**
   * Bytes the peer has not taken from earlier iterations: Node's buffer and
   * what is held back for it. Unlike {@link bufferedBytes}, this leaves out
   * the current iteration's output to a peer that keeps up.
   */
  backlogBytes(): number {
    return this.#node.writableLength + (this.#holding ? this.#outBytes : 0);
  }

  /**
   * Wait until the buffered output is below the high-water mark: returns at
   * once while it is, else hands the output to Node and waits for `'drain'`.
   * @throws the socket's error, or BrokenPipeError if it closed meanwhile.
   */
  drain(): Coro<void> {
    // Why not a `function*` all through: a writer calls drain after every
    // write, and almost always there is nothing to wait for.
    return this.bufferedBytes() <= WRITE_HIGH_WATER ? DRAINED : this.#waitDrained();
  }

  *#waitDrained(): Coro<void> {
    this.flush();
    while (this.#node.writableLength > 0 && this.#node.writableNeedDrain) {
      if (this.#key.error !== null) throw this.#key.error;
      if (this.#key.closed) throw new BrokenPipeError("socket closed with data unsent", "EPIPE", this.remote);
      yield* this.#selector.wait(this.#key, EVENT_WRITE);
    }
  }

  /** Write all of `data`, waiting for the peer when the buffers are full. */
  *sendAll(data: string | Uint8Array): Coro<void> {
    this.write(data);
    yield* this.drain();
  }

  /**
   * Hand what was written so far to Node now, as one write, instead of at
   * the loop's next turn to Node (for a reply that must not wait behind the
   * iteration's other output), unless the peer is behind: then it is held
   * until Node drains. The selector calls it before the loop gives Node its turn.
   */
  flush(): void {
    this.#flushScheduled = false;
    this.#handOver();
  }

  /** What `flush` does: hand the output over, or hold it while the peer is behind. */
  #handOver(): void {
    if (this.#outFirst === null || this.#holding) return;
    if (this.#node.writableNeedDrain && !this.#node.destroyed) {
      this.#holding = true; // Until Node drains (see the module comment).
      this.#node.once("drain", this.#onDrain);
      return;
    }
    this.#flushNow();
  }

  readonly #onDrain = (): void => {
    this.#holding = false;
    this.#handOver();
  };

  /** Hand everything written to Node, as one write. */
  #flushNow(): void {
    const first = this.#outFirst;
    if (first === null) return;
    const all = this.#outAll;
    const data = all === null ? first : this.#outAllStrings ? all.join("") : Buffer.concat(all.map(toBytes));
    this.#outFirst = this.#outAll = null;
    this.#outBytes = 0;
    this.#outAllStrings = true;
    if (!this.#node.destroyed) this.#node.write(data);
  }

  /** Half-close: send what is buffered, then EOF. Reading goes on. */
  shutdownWrite(): void {
    if (this.#writeClosed) return;
    this.#node.off("drain", this.#onDrain);
    this.#holding = false;
    this.#flushNow();
    this.#writeClosed = true;
    this.#node.end();
  }

  /**
   * Close gracefully (see graceful-close.ts): readers get EOF at once; what
   * is buffered is sent, then EOF; the peer's further input is read and
   * dropped until its own EOF (bounded by CLOSE_DRAIN_BYTES and
   * CLOSE_DRAIN_MS, or `options.drainMs`), so the kernel never resets the
   * connection over unread input and the peer gets every byte.
   * `waitClosed()` waits for the end.
   */
  close(options: CloseOptions = {}): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#receiver.stop();
    this.shutdownWrite();
    // Why destroyed too: after abort() or reset() (a dropped peer, a failed
    // handshake, then startServer's close) there is nothing left to drain.
    if (this.#key.closed || this.#node.destroyed) return;
    this.#selector.notify(this.#key, EVENT_READ); // A parked reader wakes up to its EOF.
    const { host, port } = this.remote;
    this.#selector.loop.createTask(drainAndClose(this.#node, this.#key, this.#selector, options.drainMs), {
      name: `close ${host === undefined ? "?" : formatAddress(host, port)}`,
    });
  }

  /** Close at once, dropping unsent data (a peer that never reads). */
  abort(): void {
    this.#dropOutput();
    this.#node.destroy();
  }

  /**
   * Close at once with a TCP reset, so the kernel drops what it holds for the
   * peer too. Why: after a plain close, the kernel keeps trying to deliver
   * its send buffer (up to `net.ipv4.tcp_wmem`'s maximum, 4 MiB here) to a
   * peer that does not read, as an orphan socket, for minutes; 2 000 of them
   * put the whole machine's TCP memory under pressure.
   */
  reset(): void {
    this.#dropOutput();
    if (this.#node.destroyed) return;
    this.#node.resetAndDestroy();
  }

  #dropOutput(): void {
    this.#node.off("drain", this.#onDrain);
    this.#holding = false;
    this.#outFirst = this.#outAll = null;
    this.#outBytes = 0;
    this.#writeClosed = true;
  }

  /** True once `close`, `shutdownWrite`, `abort` or `reset` was called, or the socket died. */
  isClosing(): boolean {
    return this.#writeClosed || this.#key.closed;
  }

  /** The peer finished sending (EOF was seen). */
  atEof(): boolean {
    return this.#key.eof;
  }

  /** Wait until the socket is fully closed. */
  *waitClosed(): Coro<void> {
    yield* this.#selector.waitClosed(this.#key);
  }
}

/**
 * A coroutine already finished: `yield*` on it returns at once, so one
 * serves every `drain()` that has nothing to wait for.
 */
const DRAINED: Coro<void> = (function* (): Coro<void> {})();
DRAINED.next();

function toBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}
