/**
 * End-to-end: the chat server's last lines reach the client however the
 * connection is closed (after `/quit`, at shutdown), even while the client
 * is still sending. Regression tests for data lost to a TCP reset: closing a
 * socket with unread input makes the kernel answer with RST, and a client
 * still writing then fails with EPIPE/ECONNRESET and drops what it had
 * received but not yet read.
 */
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, delay, ROOT, startApp } from "./helpers.ts";

afterEach(cleanup);

/** A raw client that keeps everything it receives and how it ended. */
interface Peer {
  socket: Socket;
  received: string;
  errorCode: string | undefined;
  closed: Promise<void>;
}

function open(port: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const peer: Peer = { socket, received: "", errorCode: undefined, closed: new Promise((done) => socket.once("close", () => done())) };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (peer.received += chunk));
    socket.on("end", () => socket.end()); // The server's EOF ends the conversation, as nc does.
    socket.on("error", (error: NodeJS.ErrnoException) => (peer.errorCode = error.code));
    socket.once("connect", () => resolve(peer));
    socket.once("error", reject);
  });
}

function bounded<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

describe("chat-server closing", () => {
  it("a client that writes 100 KB after /quit before reading anything still gets every reply and * goodbye (20 trials)", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit"]);
    const trial = async (n: number): Promise<Peer> => {
      const peer = await open(port);
      // Like a script piping a file: it writes everything, then reads.
      peer.socket.pause();
      peer.socket.write(`/nick trial${n}\n/who\n/help\n/quit bye\n`);
      for (let i = 0; i < 100 && !peer.socket.destroyed; i++) {
        peer.socket.write(`${i} ${"z".repeat(1018)}\n`); // 1 KB a time, while the server is closing.
        await delay(2);
      }
      peer.socket.resume();
      await bounded(10_000, `trial ${n} closed`, peer.closed);
      return peer;
    };
    const peers = await Promise.all(Array.from({ length: 20 }, (_, n) => trial(n)));
    for (const [n, peer] of peers.entries()) {
      const lines = peer.received.split("\n");
      expect(peer.errorCode, `trial ${n}`).toBeUndefined();
      expect(lines[0]).toMatch(/^\* welcome, you are guest\d+/);
      expect(lines.some((l) => l.endsWith(` is now known as trial${n}`))).toBe(true);
      expect(lines.some((l) => /^\* #lobby has \d+ members?: /.test(l))).toBe(true);
      expect(lines.some((l) => l.startsWith("*   /quit"))).toBe(true);
      expect(lines.slice(-2)).toEqual(["* goodbye", ""]);
    }
  });

  it("a client refused as over --max-clients, writing all the while, still reads ! server full (10 trials)", async () => {
    const { port } = await startApp("chat-server", ["--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--max-clients", "1"]);
    const member = await open(port);
    const trial = async (): Promise<Peer> => {
      const peer = await open(port);
      peer.socket.pause();
      for (let i = 0; i < 100 && !peer.socket.destroyed; i++) {
        peer.socket.write(`hello ${i} ${"z".repeat(1010)}\n`);
        await delay(2);
      }
      peer.socket.resume();
      await bounded(10_000, "refused client closed", peer.closed);
      return peer;
    };
    const peers = await Promise.all(Array.from({ length: 10 }, () => trial()));
    for (const peer of peers) expect({ received: peer.received, error: peer.errorCode }).toEqual({ received: "! server full\n", error: undefined });
    member.socket.destroy();
  });

  it("at SIGTERM, 200 clients flooding as fast as they can each get * server shutting down", async () => {
    const { app, port } = await startApp("chat-server", ["--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit"]);
    const flooders = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("flooding-peers.ts", import.meta.url)), String(port), "200"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    flooders.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => flooders.once("exit", resolve));
    try {
      await bounded(40_000, "flooders ready", (async () => {
        while (!out.includes("ready\n")) await delay(10);
      })());
      app.child.kill("SIGTERM");
      expect(await bounded(30_000, "flooders done", exited)).toBe(0);
    } finally {
      flooders.kill("SIGKILL");
    }
    const { told, errors } = JSON.parse(out.split("\n")[1]!) as { told: number; errors: Record<string, number> };
    expect({ told, errors }).toEqual({ told: 200, errors: {} });
    expect(await app.exited).toEqual({ code: 0, signal: null });
  }, 90_000); // Why so long: 200 flooders on a shared 2-core machine take seconds to connect.
});
