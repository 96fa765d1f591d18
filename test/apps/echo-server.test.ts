/**
 * End-to-end: the real `boucle echo-server` process.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, startApp } from "./helpers.ts";

afterEach(cleanup);

/** Send `data`, half-close, and collect everything echoed until the server closes. */
function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    const parts: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => parts.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      socket.end();
      resolve(Buffer.concat(parts));
    });
    socket.end(data);
  });
}

describe("echo-server", () => {
  it("echoes every byte value back, then closes after the client's EOF", async () => {
    const { port } = await startApp("echo-server", ["--quiet"]);
    const bytes = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
    expect((await roundTrip(port, bytes)).equals(bytes)).toBe(true);
  });

  it("echoes 1 MiB of random bytes intact", async () => {
    const { port } = await startApp("echo-server", ["--quiet"]);
    const data = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const [a, b] = await Promise.all([roundTrip(port, data), roundTrip(port, data.subarray(0, 1000))]);
    expect(a.length).toBe(data.length);
    expect(a.equals(data)).toBe(true);
    expect(b.equals(data.subarray(0, 1000))).toBe(true);
  });

  it("logs connects and exits 0 on SIGTERM", async () => {
    const { app, port } = await startApp("echo-server", []);
    await roundTrip(port, Buffer.from("hi"));
    await app.waitForStderr(/disconnect 127\.0\.0\.1:\d+ \(2 bytes echoed\)/);
    app.child.kill("SIGTERM");
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });
});
