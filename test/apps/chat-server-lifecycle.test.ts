/**
 * End-to-end: the chat server's life: logs, environment, signals and
 * shutdown, and newcomers served while others flood.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AppProcess, cleanup, delay, LineClient, startApp } from "./helpers.ts";

afterEach(cleanup);

/** Resolves true if a TCP connection to the port succeeds, false if refused. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("chat-server lifecycle", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`on ${signal} tells everyone "* server shutting down", exits 0 within 2 s, and the port is closed`, async () => {
      const { app, port } = await startApp("chat-server", ["--quiet"]);
      const clients = (await LineClient.room(port, 3)).map(([c]) => c);
      const started = Date.now();
      app.child.kill(signal);
      for (const client of clients) {
        await client.expect("* server shutting down");
        await client.waitClosed();
      }
      expect(await app.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await canConnect(port)).toBe(false);
    });
  }

  it("exits within 2 s even when a client never reads", async () => {
    const { app, port } = await startApp("chat-server", ["--quiet", "--no-flood-limit", "--max-queue", String(64 << 20)]);
    const [[slow], [flooder], [reader]] = await LineClient.room(port, 3);
    slow.socket.pause();
    // 20 MB: more than the kernel's buffers hold towards the slow client, less than its bound,
    // so the server still holds some for it when the signal comes.
    for (let i = 0; i < 50; i++) flooder.send(...Array.from({ length: 100 }, (_, j) => `${i * 100 + j} ${"y".repeat(4000)}`));
    await flooder.sync();
    const started = Date.now();
    app.child.kill("SIGTERM");
    await reader.until("* server shutting down");
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("logs one line per connect and disconnect on stderr, none with --quiet", async () => {
    const { app, port } = await startApp("chat-server", []);
    const [[a]] = await LineClient.room(port, 1);
    await app.waitForStderr(/connect guest1 from 127\.0\.0\.1:\d+\n/);
    a.send("/quit bye");
    await a.waitClosed();
    await app.waitForStderr(/disconnect guest1 from 127\.0\.0\.1:\d+ \(quit: bye\)\n/);

    const quiet = await startApp("chat-server", ["--quiet"]);
    const [[b]] = await LineClient.room(quiet.port, 1);
    b.close();
    await delay(100);
    expect(quiet.app.stderr).toBe(`chat server listening on 127.0.0.1:${quiet.port}\n`);
  });

  it("takes its address from BOUCLE_HOST and BOUCLE_PORT", async () => {
    const probe = await startApp("chat-server", ["--quiet"]); // Find a free port...
    probe.app.child.kill("SIGTERM");
    await probe.app.exited; // ...and free it again.
    const app = new AppProcess(["chat-server", "--quiet"], { BOUCLE_HOST: "127.0.0.1", BOUCLE_PORT: String(probe.port) });
    await app.waitForStderr(new RegExp(`listening on 127\\.0\\.0\\.1:${probe.port}\\n`), 15_000);
    const [, nick] = await LineClient.joined(probe.port);
    expect(nick).toBe("guest1");
  });

  it("welcomes a newcomer and answers its /who while 20 clients flood the room", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit"]);
    const flooders = (await LineClient.room(port, 20)).map(([c]) => c);
    let flooding = true;
    const floods = flooders.map(async (client, n) => {
      for (let i = 0; flooding; i++) {
        client.send(...Array.from({ length: 50 }, (_, j) => `flood ${n} ${i * 50 + j}`));
        client.lines.length = 0; // Read, but don't keep.
        await delay(2);
      }
    });
    await delay(300);
    const newcomer = await LineClient.connect(port);
    await newcomer.expect(/^\* welcome, you are guest21 /, 10_000);
    newcomer.send("/who");
    await newcomer.until(/^\* #lobby has 21 members: /, 10_000);
    flooding = false;
    await Promise.all(floods);
  });
});
