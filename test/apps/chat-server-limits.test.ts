/**
 * End-to-end: ordering under concurrent senders, and the limits (line
 * length, slow readers, maximum clients, flood control) of the real server.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, delay, LineClient, startApp } from "./helpers.ts";

afterEach(cleanup);

describe("chat-server ordering and limits", () => {
  it("delivers a room's messages in one order to every member, each sender's in its own order", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--no-flood-limit"]);
    const [[listener], ...senders] = await LineClient.room(port, 4); // The listener sees all 600.
    const COUNT = 200;
    for (const [client, nick] of senders) {
      // Sent in several writes, so the server sees the senders interleaved.
      for (let i = 0; i < COUNT; i += 50) {
        client.send(...Array.from({ length: 50 }, (_, j) => `${nick} ${i + j}`));
        await delay(1);
      }
    }
    const seenBy = new Map<LineClient, string[]>();
    for (const [client] of senders) seenBy.set(client, await client.sync());
    // Every sender's lines are handled now, so every message is on its way.
    const all = (await listener.sync()).filter((l) => l.startsWith("<"));
    expect(all).toHaveLength(3 * COUNT);
    for (const [client, nick] of senders) {
      const seen = [...seenBy.get(client)!, ...(await client.sync())].filter((l) => l.startsWith("<"));
      // The same order as the listener's, without the client's own messages.
      expect(seen).toEqual(all.filter((l) => !l.startsWith(`<${nick}>`)));
      // Each sender's messages in the order sent.
      const own = all.filter((l) => l.startsWith(`<${nick}>`)).map((l) => Number(l.split(" ").pop()));
      expect(own).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    }
  });

  it("accepts 4096 bytes, refuses 4097 with one error, keeps the connection, and the next line works", async () => {
    const { port } = await startApp("chat-server", ["--quiet"]);
    const [[a, an], [b]] = await LineClient.room(port, 2);
    const max = "a".repeat(4096);
    a.send(max, `${max}\r`, "b".repeat(4097), `${"c".repeat(4097)}\r`, "d".repeat(100_000), "next");
    expect(await a.sync()).toEqual(Array(3).fill("! line too long (max 4096 bytes)"));
    await a.sync();
    expect(await b.sync()).toEqual([`<${an}> ${max}`, `<${an}> ${max}`, `<${an}> next`]);
  });

  it("drops a 256 MB line without a newline without holding it in memory", async () => {
    const { app, port } = await startApp("chat-server", ["--quiet"]);
    const rssKb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.child.pid}/status`, "utf8"))![1]);
    const [[a, an], [b]] = await LineClient.room(port, 2);
    const before = rssKb();
    const chunk = Buffer.alloc(1024 * 1024, 0x78);
    for (let i = 0; i < 256; i++) {
      if (!a.socket.write(chunk)) await new Promise((resolve) => a.socket.once("drain", resolve));
    }
    a.send("", "after");
    expect(await a.sync(15_000)).toEqual(["! line too long (max 4096 bytes)"]);
    await a.sync();
    expect(await b.sync()).toEqual([`<${an}> after`]);
    // Why 64 MB: received chunks are garbage the GC takes back lazily (the RSS
    // plateaus around +25 MB); holding the line would cost 256 MB.
    expect(rssKb() - before).toBeLessThan(64 * 1024);
  });

  it("disconnects a client that stops reading, tells its room, and the others keep receiving", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--no-flood-limit", "--max-queue", "65536"]);
    const [[slow, slowNick], [flooder, fn], [observer]] = await LineClient.room(port, 3);
    slow.socket.pause(); // Never reads again.
    const line = "z".repeat(4000);
    let sent = 0;
    const leftNotice = `* ${slowNick} left (disconnected: not reading fast enough)`;
    // Flood until the slow reader is dropped (the kernel's buffers absorb a few MB first).
    while (!observer.all.includes(leftNotice) && sent < 20_000) {
      flooder.send(...Array.from({ length: 100 }, (_, i) => `${sent + i} ${line}`));
      sent += 100;
      await delay(5);
    }
    flooder.send("after");
    await flooder.sync(15_000);
    const seen = await observer.sync(15_000);
    expect(seen).toContain(leftNotice);
    const messages = seen.filter((l) => l.startsWith(`<${fn}>`));
    expect(messages).toHaveLength(sent + 1); // Every message, none lost because of the slow one.
    expect(messages.at(-1)).toBe(`<${fn}> after`);
    expect(messages.slice(0, -1).map((l) => Number(l.split(" ")[1]))).toEqual(Array.from({ length: sent }, (_, i) => i));
    slow.socket.resume(); // Reads what the kernel held, then sees the server's close.
    await slow.waitClosed(10_000);
    expect(slow.all).not.toContain(`<${fn}> after`);
  });

  it("turns away one client over --max-clients with ! server full", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--max-clients", "2"]);
    const [a] = await LineClient.joined(port);
    await LineClient.joined(port);
    const extra = await LineClient.connect(port);
    await extra.expect("! server full");
    await extra.waitClosed();
    a.send("/quit");
    await a.waitClosed();
    await delay(50);
    const [, nick] = await LineClient.joined(port); // A place is free again.
    expect(nick).toMatch(/^guest\d+$/);
  });

  it("answers a flood with one ! slow down notice per burst and drops the lines over the limit", async () => {
    const { port } = await startApp("chat-server", ["--quiet"]);
    const [[a, an], [b]] = await LineClient.room(port, 2);
    a.send(...Array.from({ length: 500 }, (_, i) => `line ${i}`));
    await delay(200);
    const replies = await a.sync(); // Its own /sync may be dropped too: wait for one that gets through.
    expect(replies.filter((l) => l.startsWith("! slow down"))).toHaveLength(1);
    const got = (await b.sync()).filter((l) => l.startsWith(`<${an}>`));
    expect(got.length).toBeGreaterThanOrEqual(99); // The burst, less the /sync LineClient.room sent.
    expect(got.length).toBeLessThan(500);
  });
});
