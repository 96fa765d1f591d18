import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startBaselineChatServer } from "../bench/baselines/chat-server.ts";
import { startBaselineEchoServer } from "../bench/baselines/echo-server.ts";
import type { BaselineServer } from "../bench/baselines/serve.ts";

const HOST = "127.0.0.1";

/** A test client that collects the lines it receives. */
interface LineClient {
  socket: net.Socket;
  lines: string[];
  /** Resolves with the first line (at or after `from`) matching `test`. */
  waitFor(test: (line: string) => boolean, from?: number): Promise<string>;
  send(text: string): void;
}

function connectLines(port: number): Promise<LineClient> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    let partial = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      for (const wake of waiters.splice(0)) wake();
    });
    socket.once("error", reject);
    socket.once("connect", () =>
      resolve({
        socket,
        lines,
        send: (text) => socket.write(text),
        waitFor: (test, from = 0) =>
          new Promise((found, fail) => {
            const timer = setTimeout(() => fail(new Error(`timed out; got ${JSON.stringify(lines)}`)), 2000);
            const check = (): void => {
              const line = lines.slice(from).find(test);
              if (line === undefined) waiters.push(check);
              else {
                clearTimeout(timer);
                found(line);
              }
            };
            check();
          }),
      }),
    );
  });
}

let servers: BaselineServer[] = [];
let sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  sockets = [];
});

describe("baseline echo server", () => {
  it("echoes binary bytes back unchanged", async () => {
    const server = await startBaselineEchoServer({ host: HOST, port: 0 });
    servers.push(server);
    const socket = net.connect(server.port, HOST);
    sockets.push(socket);
    const payload = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256));
    const received: Buffer[] = [];
    let length = 0;
    const done = new Promise<void>((resolve) =>
      socket.on("data", (data: Buffer) => {
        received.push(data);
        length += data.length;
        if (length >= payload.length) resolve();
      }),
    );
    socket.write(payload);
    await done;
    expect(Buffer.concat(received).equals(payload)).toBe(true);
  });

  it("closes even while clients are still connected", async () => {
    const server = await startBaselineEchoServer({ host: HOST, port: 0 });
    const client = await connectLines(server.port);
    sockets.push(client.socket);
    const closed = new Promise((resolve) => client.socket.on("close", resolve));
    await server.close();
    await closed;
  });
});

describe("baseline chat server", () => {
  async function startWithClients(count: number): Promise<LineClient[]> {
    const server = await startBaselineChatServer({ host: HOST, port: 0 });
    servers.push(server);
    const clients: LineClient[] = [];
    for (let i = 0; i < count; i++) {
      const client = await connectLines(server.port);
      sockets.push(client.socket);
      await client.waitFor((line) => line.startsWith("* welcome"));
      clients.push(client);
    }
    return clients;
  }

  it("welcomes each client with a unique guest nickname", async () => {
    const [a, b] = await startWithClients(2);
    expect(a?.lines[0]).toBe("* welcome, you are guest1 - type /help for commands");
    expect(b?.lines[0]).toBe("* welcome, you are guest2 - type /help for commands");
  });

  it("fans a message out to the other members only, with the sender's nick", async () => {
    const [a, b, c] = await startWithClients(3);
    if (a === undefined || b === undefined || c === undefined) throw new Error("clients missing");
    a.send("/nick alice\r\n");
    await a.waitFor((line) => line === "* you are now known as alice");
    a.send("hello room\r\n/bogus\n");
    await a.waitFor((line) => line === "! unknown command /bogus (try /help)");
    expect(await b.waitFor((line) => line.startsWith("<"))).toBe("<alice> hello room");
    expect(await c.waitFor((line) => line.startsWith("<"))).toBe("<alice> hello room");
    expect(a.lines.some((line) => line.startsWith("<"))).toBe(false);
  });

  it("reassembles lines split across packets", async () => {
    const [a, b] = await startWithClients(2);
    if (a === undefined || b === undefined) throw new Error("clients missing");
    a.send("par");
    await new Promise((resolve) => setTimeout(resolve, 20));
    a.send("tial\nsecond\n");
    await b.waitFor((line) => line.endsWith("second"));
    expect(b.lines.filter((line) => line.startsWith("<"))).toEqual(["<guest1> partial", "<guest1> second"]);
  });

  it("moves a client between rooms with leave and join notices", async () => {
    const [a, b, c] = await startWithClients(3);
    if (a === undefined || b === undefined || c === undefined) throw new Error("clients missing");
    b.send("/join #side\n");
    expect(await a.waitFor((line) => line.includes("left"))).toBe("* guest2 left #lobby");
    c.send("/join #side\n");
    await b.waitFor((line) => line === "* guest3 joined #side");
    c.send("only side\n");
    await b.waitFor((line) => line === "<guest3> only side");
    a.send("/x\n");
    await a.waitFor((line) => line.startsWith("! unknown"));
    expect(a.lines).not.toContain("<guest3> only side");
  });

  it("tells the room once when a member disconnects", async () => {
    const [a, b] = await startWithClients(2);
    if (a === undefined || b === undefined) throw new Error("clients missing");
    b.socket.destroy();
    expect(await a.waitFor((line) => line.includes("left"))).toBe("* guest2 left #lobby");
    a.send("/x\n");
    await a.waitFor((line) => line.startsWith("! unknown"));
    expect(a.lines.filter((line) => line.includes("left"))).toHaveLength(1);
  });

  it("refuses a taken nickname, case-insensitively", async () => {
    const [a, b] = await startWithClients(2);
    if (a === undefined || b === undefined) throw new Error("clients missing");
    b.send("/nick GUEST1\n");
    expect(await b.waitFor((line) => line.startsWith("!"))).toBe("! nickname GUEST1 is taken");
  });
});
