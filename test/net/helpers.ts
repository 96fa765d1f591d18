/**
 * Shared helpers for the net tests: a loop that records its exception
 * reports and cleans up after itself, deadlines so a hang fails fast, echo
 * handlers, and plain Node peers for behaviour our own API never shows
 * (byte-by-byte senders, resets, peers that never read).
 */
import { connect as nodeConnect, type Socket as NodeSocket } from "node:net";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import {
  EventLoop,
  cancelAndWait,
  fromPromise,
  timeout,
  type Awaitable,
  type Coro,
  type ExceptionContext,
} from "../../src/loop/index.ts";
import type { StreamReader, StreamWriter } from "../../src/net/index.ts";

/**
 * Run `main(loop)` on a fresh loop whose exception handler collects reports;
 * then cancel what is left and close the loop (as `run` does).
 */
export async function runNet<T>(main: (loop: EventLoop) => Coro<T>): Promise<{ value: T; reports: ExceptionContext[] }> {
  const loop = new EventLoop();
  const reports: ExceptionContext[] = [];
  loop.setExceptionHandler((context) => {
    reports.push(context);
  });
  try {
    const value = await loop.runUntilComplete(main(loop));
    return { value, reports };
  } finally {
    const left = loop.allTasks();
    if (left.length > 0) await loop.runUntilComplete(cancelAndWait(left));
    loop.close();
  }
}

/** Wait for `work` (a coroutine, future or task), failing with TimeoutError after `ms` rather than hanging the suite. */
export function within<T>(ms: number, work: Coro<T> | Awaitable<T>): Coro<T> {
  return timeout(
    ms,
    (function* () {
      return yield* work;
    })(),
  );
}

/** Echo line by line until EOF. */
export function* echoLines(reader: StreamReader, writer: StreamWriter): Coro<void> {
  for (let line; (line = yield* reader.readline()).length > 0; ) {
    writer.write(line);
    yield* writer.drain();
  }
}

/** Echo bytes as they come until EOF. */
export function* echoBytes(reader: StreamReader, writer: StreamWriter): Coro<void> {
  for (let chunk; (chunk = yield* reader.read(64 * 1024)).length > 0; ) {
    writer.write(chunk);
    yield* writer.drain();
  }
}

/** A plain Node client (callbacks, not our loop), connected. */
export function* nodePeer(port: number, host = "127.0.0.1"): Coro<NodeSocket> {
  const socket = nodeConnect({ port, host, allowHalfOpen: true });
  socket.on("error", () => {}); // Tests look at what our side sees, not the peer's errors.
  yield* fromPromise(new Promise<void>((resolve) => socket.once("connect", resolve)));
  return socket;
}

/** Resolves when a Node socket is fully closed. */
export function closed(socket: NodeSocket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once("close", () => resolve()));
}

/** Everything a Node socket receives until the peer ends. */
export function collectAll(socket: NodeSocket): Promise<Buffer> {
  const parts: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => parts.push(chunk));
  return new Promise((resolve) => socket.once("end", () => resolve(Buffer.concat(parts))));
}

/** Bytes 0..255 repeated, so a shifted or dropped byte shows. */
export function pattern(size: number, seed = 0): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + seed + (i >> 8)) & 0xff;
  return out;
}

/** A Promise settled after `ms` of real time (for plain Node peers). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A full garbage collection, or nothing if unavailable. Why the flag trick:
 * vitest's workers don't get --expose-gc, but V8 accepts the flag at run time
 * and a fresh context then sees `gc`.
 */
export function forceGc(): void {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as (() => void) | undefined;
    gc?.();
    gc?.();
  } catch {
    // Measurements then just get a more generous bound.
  }
}
