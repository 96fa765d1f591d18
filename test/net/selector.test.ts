import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTask, sleep, type Coro, type EventLoop } from "../../src/loop/index.ts";
import { ClosedError, EVENT_READ, listen, openInput, Selector, type Server } from "../../src/net/index.ts";
import { nodePeer, runNet, within } from "./helpers.ts";

/** Closes `server` while a task waits in accept(): what that accept threw, and how long after the close. */
function* closeWhileAccepting(loop: EventLoop, server: Server): Coro<{ error: unknown; elapsed: number }> {
  const acceptor = createTask(
    (function* () {
      try {
        yield* server.accept();
        return null;
      } catch (error) {
        return error;
      }
    })(),
  );
  yield* sleep(5);
  const start = loop.time();
  server.close();
  const error = yield* within(1_000, acceptor);
  return { error, elapsed: loop.time() - start };
}

describe("Selector", () => {
  it("is one per loop, registers a source once and forgets it on unregister", async () => {
    const { value } = await runNet(function* (loop) {
      const selector = Selector.of(loop);
      const same = Selector.of(loop) === selector;
      const source = new PassThrough();
      const key = selector.register(source);
      const sizeRegistered = selector.size;
      const doubleRegister = (() => {
        try {
          selector.register(source);
          return null;
        } catch (error) {
          return error;
        }
      })();
      const found = selector.getKey(source) === key;
      selector.unregister(source);
      source.emit("error", new Error("late")); // A late error must not crash the process.
      return { same, sizeRegistered, doubleRegister, found, gone: selector.getKey(source), sizeAfter: selector.size, closed: key.closed };
    });
    expect(value.same).toBe(true);
    expect(value.sizeRegistered).toBe(1);
    expect(value.doubleRegister).toBeInstanceOf(Error);
    expect(value.found).toBe(true);
    expect(value.gone).toBeUndefined();
    expect(value.sizeAfter).toBe(0);
    expect(value.closed).toBe(true);
  });

  it("wait() on a source that is already closed returns at once", async () => {
    const { value } = await runNet(function* (loop) {
      const selector = Selector.of(loop);
      const source = new PassThrough();
      const key = selector.register(source);
      selector.unregister(source);
      const start = loop.time();
      yield* within(500, selector.wait(key, EVENT_READ));
      return loop.time() - start;
    });
    expect(value).toBeLessThan(100);
  });
});

describe("wake-ups marked during a loop iteration (regressions)", () => {
  // The loop parks after an iteration with nothing ready, and wakeUp() only
  // unparks a parked loop: readiness marked by code running inside the
  // iteration used to wait for some unrelated event (or a timeout) to be seen.

  it("server.close() wakes a waiting accept() at once", async () => {
    const { value } = await runNet(function* (loop) {
      const server = yield* listen({ port: 0 });
      return yield* closeWhileAccepting(loop, server);
    });
    expect(value.error).toBeInstanceOf(ClosedError);
    expect(value.elapsed).toBeLessThan(100);
  });

  it("server.close() wakes a waiting accept() at once while accepted connections are still open", async () => {
    // Why this case: Node's 'close' event waits for every connection to end,
    // so only the server's own notify can wake the accept here.
    const { value } = await runNet(function* (loop) {
      const server = yield* listen({ port: 0 });
      const peer = yield* nodePeer(server.port);
      const accepted = yield* within(1_000, server.accept());
      const { error, elapsed } = yield* closeWhileAccepting(loop, server);
      const stillOpen = !accepted.isClosing();
      accepted.close();
      peer.destroy();
      return { error, elapsed, stillOpen };
    });
    expect(value.error).toBeInstanceOf(ClosedError);
    expect(value.elapsed).toBeLessThan(100);
    expect(value.stillOpen).toBe(true);
  });

  it("a PassThrough ended inside a task wakes the task reading it at once", async () => {
    const { value } = await runNet(function* (loop) {
      const input = new PassThrough();
      const { reader, close } = openInput(input);
      const lines = createTask(
        (function* () {
          const out: string[] = [];
          for (let line; (line = yield* reader.nextLine()) !== null; ) out.push(line.toString());
          return out;
        })(),
      );
      yield* sleep(5); // The reader is parked on READ.
      const start = loop.time();
      input.end("last\n"); // Node emits 'readable' synchronously, inside this iteration.
      const got = yield* within(1_000, lines);
      close();
      return { got, elapsed: loop.time() - start };
    });
    expect(value.got).toEqual(["last"]);
    expect(value.elapsed).toBeLessThan(100);
  });
});
