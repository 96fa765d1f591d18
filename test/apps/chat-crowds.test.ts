/**
 * The chat server in crowds, end to end over loopback: quiet rooms' one-line
 * notices, and the global budget for unsent output.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ADMISSION_DELAY_MS } from "../../src/apps/chat-server/server.ts";
import { cleanup, delay, LineClient, startApp } from "./helpers.ts";

afterEach(cleanup);

/** Sum of `N joined` / `N left` over the crowd notices among `lines`. */
function tally(lines: string[], room: string): { joined: number; left: number; notices: number } {
  let joined = 0;
  let left = 0;
  let notices = 0;
  for (const line of lines) {
    const m = /^\* (.*) (#\S+) \((\d+) members?\)$/.exec(line);
    if (!m || m[2] !== room) continue;
    notices++;
    joined += Number(/(\d+) joined/.exec(m[1]!)?.[1] ?? 0);
    left += Number(/(\d+) left/.exec(m[1]!)?.[1] ?? 0);
  }
  return { joined, left, notices };
}

/** A raw connection that never reads: its output piles up in the server. */
function nonReader(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.pause();
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("a quiet room", () => {
  it("gets one line per interval for 200 joins and 200 leaves, not 400 notices", async () => {
    const quietRoomSize = 5;
    const { port } = await startApp("chat-server", ["--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--quiet-room-size", String(quietRoomSize)]);
    const [[watcher]] = await LineClient.room(port, 1);
    const crowd = await Promise.all(Array.from({ length: 200 }, () => LineClient.connect(port)));
    for (const c of crowd) c.send("hello"); // Each one's first line announces it.
    const count = (pattern: RegExp): number => watcher.all.filter((l) => pattern.test(l)).length;
    // Only while the room had at most quietRoomSize members were joins told one by one.
    const joinedEach = (): number => count(/^\* guest\d+ joined #lobby$/);
    while (tally(watcher.all, "#lobby").joined + joinedEach() < 200) await watcher.next(10_000);
    expect(joinedEach()).toBeLessThan(quietRoomSize);
    for (const c of crowd) c.close();
    const leftEach = (): number => count(/^\* guest\d+ left$/);
    while (tally(watcher.all, "#lobby").left + leftEach() < 200) await watcher.next(10_000);
    expect(leftEach()).toBeLessThan(quietRoomSize);
    // A few intervals' worth of lines, where one notice per event made 400.
    expect(tally(watcher.all, "#lobby").notices).toBeLessThanOrEqual(10);
    expect(await watcher.sync()).toEqual([]);
  }, 60_000);
});

describe("the global output budget", () => {
  it("drops the readers that fell behind once all queues together pass --max-output-memory", async () => {
    const { app, port } = await startApp("chat-server", [
      "--no-flood-limit",
      "--max-queue", String(256 * 1024 * 1024), // So only the global budget can drop anyone.
      "--max-output-memory", String(4 * 1024 * 1024),
    ]);
    // The flooder watches too: it does not get its own lines back, so only the stalled fall behind.
    const [[flooder]] = await LineClient.room(port, 1);
    const stalled = await Promise.all(Array.from({ length: 4 }, () => nonReader(port)));
    await app.waitForStderr(/(connect guest\d+.*\n.*){5}/s);
    await delay(ADMISSION_DELAY_MS + 200); // So the room is told of their arrival, and of their leaving.
    const line = "x".repeat(4000);
    for (let i = 0; i < 4000; i++) flooder.send(line); // 16 MB to each of 4 readers that never read.
    const dropped = new Set<string>();
    while (dropped.size < 4) {
      const got = await flooder.next(20_000);
      const m = /^\* (guest\d+) left \(disconnected: not reading fast enough\)$/.exec(got);
      if (m) dropped.add(m[1]!);
    }
    expect([...dropped].sort()).toEqual(["guest2", "guest3", "guest4", "guest5"]);
    await flooder.sync(20_000); // Still served.
    expect(app.stderr.match(/\(disconnected: not reading fast enough\)/g)).toHaveLength(4);
    for (const s of stalled) s.destroy();
  }, 60_000);
});
