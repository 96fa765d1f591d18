/**
 * `boucle healthcheck`: exits at its own deadline with the socket closed,
 * and probing disturbs no one in #lobby.
 */
import { createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { main as healthcheck } from "../../src/apps/healthcheck/main.ts";
import { ADMISSION_DELAY_MS } from "../../src/apps/chat-server/server.ts";
import { cleanup, delay, LineClient, runApp, startApp } from "./helpers.ts";

afterEach(cleanup);

/** A loopback server that accepts and never says a word; `closed` resolves when a peer closes its side. */
async function silentServer(): Promise<{ port: number; closed: Promise<void>; stop: () => void }> {
  let sawClose!: () => void;
  const closed = new Promise<void>((resolve) => (sawClose = resolve));
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.on("end", sawClose);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { port, closed, stop: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

describe("boucle healthcheck", () => {
  it("exits 1 soon after its --timeout-ms when the server never answers, closing its socket", async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const result = await runApp(["healthcheck", `127.0.0.1:${silent.port}`, "--timeout-ms", "500"], 20_000);
      const elapsed = Date.now() - started;
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`healthcheck: 127.0.0.1:${silent.port}: no answer within 500 ms\n`);
      // Process start (~1 s of TypeScript compiling) plus 500 ms, with room for a busy machine.
      expect(elapsed).toBeLessThan(10_000);
      await silent.closed; // The probe's socket was closed, not left to the process's exit.
    } finally {
      silent.stop();
    }
  }, 30_000);

  it("passes against a chat server, and 20 probes disturb no member of #lobby", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--connect-rate", "0"]) // 20 probes in a row from one address.;
    const [member] = await LineClient.joined(port);
    for (let i = 0; i < 20; i++) expect(await healthcheck([`127.0.0.1:${port}`])).toBe(0);
    await delay(ADMISSION_DELAY_MS + 300); // Past any admission delay a probe could have started.
    expect(await member.sync()).toEqual([]);
  }, 30_000);

  it("says what it got from a server that is not a chat server", async () => {
    const server = createServer((socket) => socket.end("hello\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (writes.push(chunk), true)) as typeof process.stderr.write;
    try {
      expect(await healthcheck([`127.0.0.1:${port}`, "--timeout-ms", "2000"])).toBe(1);
    } finally {
      process.stderr.write = original;
      server.close();
    }
    expect(writes.join("")).toBe(`healthcheck: 127.0.0.1:${port}: unexpected first line: "hello"\n`);
  });
});
