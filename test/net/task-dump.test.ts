import { describe, expect, it } from "vitest";
import { createTask, sleep, type Coro, type TaskInfo } from "../../src/loop/index.ts";
import { connect, listen, type Server, type Socket } from "../../src/net/index.ts";
import { runNet, within } from "./helpers.ts";

function* acceptOne(server: Server): Coro<Socket> {
  return yield* server.accept();
}

function* readSome(socket: Socket): Coro<Buffer> {
  return yield* socket.recv(1024);
}

describe("loop.dumpTasks() over real sockets", () => {
  it("says a task waits on accept at the server's address, and on socket read at the peer's", async () => {
    const { value } = await runNet(function* (loop) {
      const server = yield* listen({ host: "127.0.0.1", port: 0 });
      const port = server.port;
      const acceptor = createTask(acceptOne(server), { name: "acceptor" });
      yield* sleep(20);
      const beforeConnect = loop.dumpTasks();
      const client = yield* connect({ host: "127.0.0.1", port: server.port });
      const accepted = yield* within(2_000, acceptor[Symbol.iterator]());
      const reader = createTask(readSome(accepted), { name: "reader" });
      yield* sleep(20);
      const whileReading = loop.dumpTasks();
      yield* client.sendAll("hi");
      const got = yield* within(2_000, reader[Symbol.iterator]());
      const peer = `${accepted.remote.host}:${accepted.remote.port}`;
      client.close();
      accepted.close();
      server.close();
      return { beforeConnect, whileReading, got: got.toString(), port, peer };
    });
    const find = (infos: TaskInfo[], name: string): TaskInfo => infos.find((i) => i.name === name)!;
    expect(find(value.beforeConnect, "acceptor")).toMatchObject({ state: "parked", waitingOn: `accept 127.0.0.1:${value.port}` });
    expect(find(value.beforeConnect, "acceptor").where[0]).toMatch(/^acceptOne \(test\/net\/task-dump\.test\.ts:/);
    const reader = find(value.whileReading, "reader");
    expect(reader.state).toBe("parked");
    expect(reader.waitingOn).toMatch(/^socket read 127\.0\.0\.1:\d+$/);
    expect(reader.waitingOn).toBe(`socket read ${value.peer}`);
    expect(reader.waitedMs).toBeGreaterThanOrEqual(0);
    expect(reader.where[0]).toMatch(/^readSome /);
    expect(value.got).toBe("hi");
  });
});
