import { describe, expect, it } from "vitest";
import { createTask, gather, sleep, type Coro } from "../../src/loop/index.ts";
import { ClosedError, connect, listen, openConnection, startServer } from "../../src/net/index.ts";
import { echoLines, runNet, within } from "./helpers.ts";

describe("accepting", () => {
  it("accepts 200 clients connecting at once and echoes to each of them", async () => {
    const COUNT = 200;
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoLines);
      const port = server.port;
      function* client(i: number): Coro<string> {
        const [reader, writer] = yield* openConnection("127.0.0.1", port);
        writer.write(`hello from ${i}\n`);
        const line = yield* reader.readline();
        writer.close();
        return line.toString();
      }
      const tasks = [];
      for (let i = 0; i < COUNT; i++) tasks.push(createTask(client(i)));
      const lines = yield* within(10_000, gather(...tasks));
      server.close();
      yield* within(5_000, server.waitClosed());
      return lines;
    });
    expect(value).toHaveLength(COUNT);
    value.forEach((line, i) => expect(line).toBe(`hello from ${i}\n`));
  });

  it("echoes over IPv6 loopback (::1)", async () => {
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoLines, { host: "::1" });
      expect(server.server.address.family).toBe("IPv6");
      const [reader, writer] = yield* openConnection("::1", server.port);
      writer.write("over v6\n");
      const line = yield* within(2_000, reader.readline());
      const remote = writer.socket.remote;
      writer.close();
      server.close();
      yield* within(2_000, server.waitClosed());
      return { line: line.toString(), remote };
    });
    expect(value.line).toBe("over v6\n");
    expect(value.remote.host).toBe("::1");
  });

  it("low level: listen, connect, accept, recv and sendAll", async () => {
    const { value } = await runNet(function* () {
      const server = yield* listen({ port: 0 });
      const client = yield* connect({ port: server.port });
      const peer = yield* within(2_000, server.accept());
      yield* client.sendAll("ping");
      const got = yield* within(2_000, peer.recv(100));
      yield* peer.sendAll("pong");
      peer.shutdownWrite();
      const back = yield* within(2_000, client.recv(100));
      const eof = yield* within(2_000, client.recv(100));
      client.close();
      peer.close();
      server.close();
      yield* within(2_000, peer.waitClosed());
      return { got: got.toString(), back: back.toString(), eof: eof.length, atEof: client.atEof() };
    });
    expect(value).toEqual({ got: "ping", back: "pong", eof: 0, atEof: true });
  });
});

describe("closing a server", () => {
  it("with clients connected: accept raises ClosedError, the port is freed, clients go on, waitClosed waits for them", async () => {
    const { value } = await runNet(function* () {
      const log: string[] = [];
      const server = yield* listen({ port: 0 });
      const port = server.port;
      const acceptTask = createTask(
        (function* () {
          for (;;) {
            try {
              yield* server.accept();
            } catch (error) {
              return error;
            }
          }
        })(),
      );
      yield* sleep(5);
      server.close();
      const acceptError = yield* within(2_000, acceptTask[Symbol.iterator]());

      // Same again with startServer and connected clients.
      const stream = yield* startServer(function* (reader, writer) {
        yield* echoLines(reader, writer);
        log.push("handler done");
      });
      const streamPort = stream.port;
      const [reader, writer] = yield* openConnection("127.0.0.1", streamPort);
      writer.write("before\n");
      yield* within(2_000, reader.readline());
      stream.close();
      // The port is free at once: a new server can listen on it.
      const again = yield* listen({ port: streamPort });
      again.close();
      // The connected client keeps working.
      writer.write("after close\n");
      const line = yield* within(2_000, reader.readline());
      let closedWaited = false;
      const waiter = createTask(
        (function* () {
          yield* stream.waitClosed();
          closedWaited = true;
          log.push("waitClosed returned");
        })(),
      );
      yield* sleep(20);
      const waitedEarly = closedWaited;
      log.push("client closes");
      writer.close();
      yield* within(2_000, waiter[Symbol.iterator]());
      return { acceptError, port, line: line.toString(), waitedEarly, log };
    });
    expect(value.acceptError).toBeInstanceOf(ClosedError);
    expect(value.line).toBe("after close\n");
    expect(value.waitedEarly).toBe(false);
    expect(value.log).toEqual(["client closes", "handler done", "waitClosed returned"]);
  });

  it("closeClients cancels the client tasks and their sockets close", async () => {
    const { value } = await runNet(function* () {
      let cancelled = 0;
      const server = yield* startServer(function* (reader, writer) {
        try {
          yield* echoLines(reader, writer);
        } finally {
          cancelled++;
        }
      });
      const clients = [];
      for (let i = 0; i < 3; i++) clients.push(yield* openConnection("127.0.0.1", server.port));
      for (const [reader, writer] of clients) {
        writer.write("x\n");
        yield* within(2_000, reader.readline());
      }
      const before = server.clientCount;
      server.close();
      server.closeClients();
      // Each client sees EOF: the server side closed. Its close is graceful,
      // so it waits for the clients' EOF in turn before the sockets close.
      const ends = [];
      for (const [reader] of clients) ends.push((yield* within(2_000, reader.read())).length);
      for (const [, writer] of clients) writer.close();
      yield* within(1_000, server.waitClosed());
      return { before, after: server.clientCount, cancelled, ends };
    });
    expect(value.before).toBe(3);
    expect(value.after).toBe(0);
    expect(value.cancelled).toBe(3);
    expect(value.ends).toEqual([0, 0, 0]);
  });
});
