/**
 * End-to-end per-address limits: a real `boucle chat-server` and plain TCP
 * clients on loopback, which is not exempt.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, delay, LineClient, startApp } from "./helpers.ts";

afterEach(cleanup);

async function chatServer(...args: string[]): Promise<number> {
  const { port } = await startApp("chat-server", ["--quiet", ...args]);
  return port;
}

/** Connect and take the first line. */
async function firstLine(port: number, host = "127.0.0.1"): Promise<[LineClient, string]> {
  const client = await LineClient.connect(port, host);
  return [client, await client.next()];
}

describe("per-address limits", () => {
  it("admits --max-per-ip connections from one address (10 by default), refuses one more with a notice and a close, and admits again once one left", async () => {
    const port = await chatServer("--connect-rate", "0");
    const admitted: LineClient[] = [];
    for (let i = 0; i < 10; i++) {
      const [client, line] = await firstLine(port);
      expect(line).toMatch(/^\* welcome/);
      admitted.push(client);
    }
    const [refused, line] = await firstLine(port);
    expect(line).toBe("! too many connections from your address");
    await refused.waitClosed();
    admitted[0]!.send("/quit");
    await admitted[0]!.waitClosed();
    // The server counts it out once its side is closed too: a moment later.
    let again = "";
    for (let tries = 0; tries < 40 && !again.startsWith("* welcome"); tries++) {
      if (tries > 0) await delay(50);
      [, again] = await firstLine(port);
    }
    expect(again).toMatch(/^\* welcome/);
  });

  it("counts an IPv4-mapped IPv6 peer with its IPv4 address", async () => {
    const port = await chatServer("--host", "::", "--max-per-ip", "2", "--connect-rate", "0");
    await firstLine(port, "127.0.0.1");
    await firstLine(port, "::ffff:127.0.0.1");
    const [, line] = await firstLine(port, "127.0.0.1");
    expect(line).toBe("! too many connections from your address");
    const [, v6] = await firstLine(port, "::1"); // Another group.
    expect(v6).toMatch(/^\* welcome/);
  });

  it("throttles new connections per address with a token bucket: a reconnect loop gets --connect-rate a second after its burst", async () => {
    const port = await chatServer("--max-per-ip", "0", "--connect-rate", "2", "--connect-burst", "3");
    const lines: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [client, line] = await firstLine(port);
      lines.push(line);
      client.close(); // A reconnect loop: never more than one open at a time.
    }
    expect(lines.slice(0, 3).every((l) => l.startsWith("* welcome"))).toBe(true);
    expect(lines.slice(3)).toEqual([
      "! too many new connections from your address, try again in a few seconds",
      "! too many new connections from your address, try again in a few seconds",
    ]);
    await delay(700); // One token back at 2 per second.
    const [, line] = await firstLine(port);
    expect(line).toMatch(/^\* welcome/);
  });

  it("lifts both limits with --max-per-ip 0 --connect-rate 0", async () => {
    const port = await chatServer("--max-per-ip", "0", "--connect-rate", "0");
    const lines = await Promise.all(Array.from({ length: 30 }, async () => (await firstLine(port))[1]));
    expect(lines.every((l) => l.startsWith("* welcome"))).toBe(true);
  });
});
