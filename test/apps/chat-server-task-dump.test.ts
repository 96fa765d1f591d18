/**
 * End-to-end: SIGUSR1 makes the chat server (and the echo server) write a
 * dump of the loop's tasks to stderr, as text or as JSON events, and keep
 * serving.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AppProcess, cleanup, LineClient, startApp } from "./helpers.ts";

afterEach(cleanup);

describe("SIGUSR1 task dump", () => {
  it("the chat server writes every task, what it waits on and where, then goes on answering", async () => {
    const { app, port } = await startApp("chat-server", []);
    const [[alice, aliceNick], [bob, bobNick]] = await LineClient.room(port, 2);
    const alicePeer = `127.0.0.1:${alice.socket.localPort}`;
    app.child.kill("SIGUSR1");
    await app.waitForStderr(/boucle: \d+ tasks \(SIGUSR1\)\n/);
    // The client's task: parked on a read of its own socket, in the built code's frame.
    const [aliceLine] = await app.waitForStderr(new RegExp(`^client ${alicePeer} .*$`, "m"));
    expect(aliceLine).toMatch(new RegExp(`^client ${alicePeer} \\[prio -?\\d+\\] parked [\\d.]+ m?s on socket read ${alicePeer}  at \\S+ \\(dist/src/.+:\\d+:\\d+\\)$`));
    await app.waitForStderr(new RegExp(`^accept \\[prio -?\\d+\\] parked [\\d.]+ m?s on accept 127\\.0\\.0\\.1:${port}  at `, "m"));

    // Still serving: a message goes through after the dump.
    alice.send("still there?");
    await bob.expect(`<${aliceNick}> still there?`);
    bob.send("yes");
    await alice.expect(`<${bobNick}> yes`);
    expect(app.child.exitCode).toBeNull();
  });

  it("with --log-format json, one task_dump event then one task event per task", async () => {
    const app = new AppProcess(["chat-server", "--port", "0", "--log-format", "json"]);
    const port = Number((await app.waitForStderr(/"msg":"chat server listening on 127\.0\.0\.1:(\d+)"/, 15_000))[1]);
    const [[alice]] = await LineClient.room(port, 1);
    const alicePeer = `127.0.0.1:${alice.socket.localPort}`;
    app.child.kill("SIGUSR1");
    const [header] = await app.waitForStderr(/\{[^\n]*"event":"task_dump"[^\n]*\}\n/);
    const count = (JSON.parse(header) as { tasks: number }).tasks;
    const events = await waitForEvents(app, "task", count);
    const client = events.find((e) => e["task"] === `client ${alicePeer}`);
    expect(client).toMatchObject({ level: "info", state: "parked", waiting_on: `socket read ${alicePeer}` });
    expect(typeof client!["waited_ms"]).toBe("number");
    expect(client!["where"]).toMatch(/^\S+ \(dist\/src\/.+:\d+:\d+\)$/);
    expect(events.find((e) => e["task"] === "accept")).toMatchObject({ waiting_on: `accept 127.0.0.1:${port}` });
    alice.send("/sync");
    await alice.expect("! unknown command /sync (try /help)");
  });

  it("the echo server dumps its tasks too and keeps echoing", async () => {
    const { app, port } = await startApp("echo-server", []);
    const socket = connect({ port, host: "127.0.0.1" });
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    try {
      const peer = `127.0.0.1:${socket.localPort}`;
      await app.waitForStderr(new RegExp(`connect ${peer}`));
      app.child.kill("SIGUSR1");
      await app.waitForStderr(new RegExp(`client ${peer} \\[prio -?\\d+\\] parked [\\d.]+ m?s on socket read ${peer}`));
      const echoed = new Promise<string>((resolve) => socket.once("data", (data) => resolve(data.toString())));
      socket.write("ping");
      expect(await echoed).toBe("ping");
    } finally {
      socket.destroy();
    }
  });
});

/** The first `n` JSON log events named `event` on the app's stderr. */
async function waitForEvents(app: { stderr: string }, event: string, n: number): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const events = app.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((e) => e["event"] === event);
    if (events.length >= n) return events.slice(0, n);
    if (Date.now() > deadline) throw new Error(`only ${events.length} of ${n} ${event} events; stderr:\n${app.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
