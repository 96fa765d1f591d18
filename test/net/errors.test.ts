import { Worker } from "node:worker_threads";
import { connect as nodeConnect, type Socket as NodeSocket } from "node:net";
import { describe, expect, it } from "vitest";
import { createTask, gather, sleep, TimeoutError, type Coro } from "../../src/loop/index.ts";
import {
  AddressInUseError,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectTimeoutError,
  connect,
  listen,
  NetError,
  openConnection,
  startServer,
} from "../../src/net/index.ts";
import { closed, delay, echoLines, nodePeer, runNet, within } from "./helpers.ts";

function* catchError(coro: Coro<unknown>): Coro<unknown> {
  try {
    yield* coro;
  } catch (error) {
    return error;
  }
  return null;
}

describe("connecting", () => {
  it("a refused connection raises ConnectionRefusedError carrying host and port", async () => {
    const { value } = await runNet(function* () {
      const probe = yield* listen({ port: 0 });
      const port = probe.port;
      probe.close(); // Nobody listens there any more.
      yield* sleep(10);
      return { port, error: yield* catchError(connect({ host: "127.0.0.1", port })) };
    });
    expect(value.error).toBeInstanceOf(ConnectionRefusedError);
    const error = value.error as ConnectionRefusedError;
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.host).toBe("127.0.0.1");
    expect(error.port).toBe(value.port);
    expect(error.message).toContain(`127.0.0.1:${value.port}`);
  });

  it("a connect that hangs raises ConnectTimeoutError carrying host and port", async () => {
    // A listener whose accept queue is full: a worker thread listens with
    // backlog 1 and blocks its own event loop, so it never accepts. The
    // kernel queues two connections, then drops further SYNs: connect hangs.
    const blocked = await blockedListener();
    const fillers: NodeSocket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const filler = nodeConnect({ port: blocked.port, host: "127.0.0.1" });
        filler.on("error", () => {});
        await new Promise((resolve) => filler.once("connect", resolve));
        fillers.push(filler);
      }
      const { value } = await runNet(function* (loop) {
        const start = loop.time();
        const error = yield* catchError(connect({ host: "127.0.0.1", port: blocked.port, timeoutMs: 200 }));
        return { error, elapsed: loop.time() - start };
      });
      expect(value.error).toBeInstanceOf(ConnectTimeoutError);
      expect(value.error).toBeInstanceOf(TimeoutError); // Catchable as any timeout.
      const error = value.error as ConnectTimeoutError;
      expect(error.host).toBe("127.0.0.1");
      expect(error.port).toBe(blocked.port);
      expect(value.elapsed).toBeGreaterThanOrEqual(190);
      expect(value.elapsed).toBeLessThan(1_000);
    } finally {
      for (const filler of fillers) filler.destroy();
      await blocked.stop();
    }
  });

  it("connects within its timeout when the server answers", async () => {
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoLines);
      const [reader, writer] = yield* openConnection("127.0.0.1", server.port, { timeoutMs: 2_000 });
      writer.write("hi\n");
      const line = yield* within(2_000, reader.readline());
      writer.close();
      server.close();
      yield* within(2_000, server.waitClosed());
      return line.toString();
    });
    expect(value).toBe("hi\n");
  });

  it("listening on a port in use raises AddressInUseError carrying the port", async () => {
    const { value } = await runNet(function* () {
      const first = yield* listen({ port: 0 });
      const port = first.port;
      const error = yield* catchError(listen({ host: "127.0.0.1", port }));
      first.close();
      return { port, error };
    });
    expect(value.error).toBeInstanceOf(AddressInUseError);
    const error = value.error as AddressInUseError;
    expect(error.code).toBe("EADDRINUSE");
    expect(error.port).toBe(value.port);
    expect(error.host).toBe("127.0.0.1");
  });
});

describe("resets and failing handlers", () => {
  it("a client whose server resets it gets ConnectionResetError carrying the server's address", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const port = server.port;
      const client = yield* connect({ port });
      const accepted = yield* server.accept();
      accepted.nodeSocket.resetAndDestroy();
      const error = yield* catchError(within(2_000, client.recv(100)));
      client.close();
      server.close();
      return { port, error };
    });
    expect(value.error).toBeInstanceOf(ConnectionResetError);
    expect((value.error as ConnectionResetError).host).toBe("127.0.0.1");
    expect((value.error as ConnectionResetError).port).toBe(value.port);
  });

  it("a reset from the peer raises ConnectionResetError in the server's read, other clients unaffected", async () => {
    let rudePort = 0;
    const { value, reports } = await runNet(function* () {
      let seen: unknown = null;
      const server = yield* startServer(function* (reader, writer) {
        try {
          yield* echoLines(reader, writer);
        } catch (error) {
          seen = error;
        }
      });
      const [goodReader, goodWriter] = yield* openConnection("127.0.0.1", server.port);
      const rude = yield* nodePeer(server.port);
      rude.write("first line\n");
      yield* sleep(20);
      rudePort = rude.localPort!;
      rude.resetAndDestroy();
      yield closed(rude);
      yield* sleep(20);
      // The other client still gets its echoes.
      goodWriter.write("still here\n");
      const echoed = yield* within(2_000, goodReader.readline());
      goodWriter.close();
      server.close();
      yield* within(2_000, server.waitClosed());
      return { seen, echoed: echoed.toString() };
    });
    expect(value.seen).toBeInstanceOf(ConnectionResetError);
    expect((value.seen as ConnectionResetError).code).toBe("ECONNRESET");
    // The error names the peer, though Node's read error carries no address.
    expect((value.seen as ConnectionResetError).host).toBe("127.0.0.1");
    expect((value.seen as ConnectionResetError).port).toBe(rudePort);
    expect(value.echoed).toBe("still here\n");
    expect(reports).toEqual([]);
  });

  it("a peer that resets while the server writes gives the writer a typed error, not a crash", async () => {
    const { value } = await runNet(function* () {
      let seen: unknown = null;
      const server = yield* startServer(function* (_reader, writer) {
        const chunk = Buffer.alloc(64 * 1024, 0x78);
        try {
          for (let i = 0; i < 10_000; i++) {
            writer.write(chunk);
            yield* writer.drain();
          }
        } catch (error) {
          seen = error;
        }
      });
      const peer = yield* nodePeer(server.port);
      peer.pause(); // Never reads: the server's writes pile up, then the peer goes away with data pending.
      yield* sleep(50);
      peer.destroy();
      server.close();
      yield* within(5_000, server.waitClosed()); // The handler's task ends with the error.
      return seen;
    });
    // Node reports it on the read side here (ECONNRESET); EPIPE would be as good.
    expect(value).toBeInstanceOf(NetError);
    expect((value as NetError).host).toBe("127.0.0.1");
    expect([ConnectionResetError, BrokenPipeError].some((Kind) => value instanceof Kind)).toBe(true);
  });

  it("an error thrown in one handler is reported to the loop's exception handler and the other clients go on", async () => {
    const { value, reports } = await runNet(function* () {
      const server = yield* startServer(function* (reader, writer) {
        for (let line; (line = yield* reader.readline()).length > 0; ) {
          if (line.toString() === "boom\n") throw new Error("handler exploded");
          writer.write(line);
          yield* writer.drain();
        }
      });
      const clients = [];
      for (let i = 0; i < 5; i++) clients.push(yield* openConnection("127.0.0.1", server.port));
      const [badReader, badWriter] = clients[2]!;
      badWriter.write("boom\n");
      const badEnd = yield* within(2_000, badReader.read()); // The server closes that client.
      const echoes = yield* within(
        2_000,
        gather(
          ...clients
            .filter((_, i) => i !== 2)
            .map(([reader, writer], i) =>
              createTask(
                (function* () {
                  writer.write(`client ${i}\n`);
                  const line = yield* reader.readline();
                  writer.close();
                  return line.toString();
                })(),
              ),
            ),
        ),
      );
      badWriter.close();
      server.close();
      yield* within(2_000, server.waitClosed());
      return { badEnd: badEnd.length, echoes };
    });
    expect(value.badEnd).toBe(0);
    expect(value.echoes).toEqual(["client 0\n", "client 1\n", "client 2\n", "client 3\n"]);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toContain("connection handler");
    expect((reports[0]!.exception as Error).message).toBe("handler exploded");
  });
});

/** A loopback listener (backlog 1) on a worker thread that never accepts. */
async function blockedListener(): Promise<{ port: number; stop(): Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { workerData: flag, parentPort } = require("node:worker_threads");
    const server = require("node:net").createServer();
    server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      // Block this thread's event loop so it never accepts, until told to stop.
      setImmediate(() => {
        while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 50);
        process.exit(0);
      });
    });`,
    { eval: true, workerData: flag },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    port,
    async stop() {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await Promise.race([new Promise((resolve) => worker.once("exit", resolve)), delay(2_000)]);
    },
  };
}
