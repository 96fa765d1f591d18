/**
 * End-to-end: the real `boucle echo-server` process.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, startApp } from "./helpers.ts";
import { expectDocumented } from "./metrics/observed-server.ts";
import { parseScrape, sampleValue } from "./metrics/prometheus-oracle.ts";

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

  it("at SIGTERM, clients still streaming get what was echoed and a clean EOF, no reset (10 clients)", async () => {
    const { app, port } = await startApp("echo-server", ["--quiet"]);
    const streams = await Promise.all(
      Array.from({ length: 10 }, () =>
        new Promise<{ sent: Buffer[]; received: Buffer[]; error: string | undefined; ended: Promise<void> }>((resolve) => {
          const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
          const peer = { sent: [] as Buffer[], received: [] as Buffer[], error: undefined as string | undefined, ended: Promise.resolve() };
          peer.ended = new Promise((done) => socket.once("close", () => done()));
          socket.on("data", (chunk: Buffer) => peer.received.push(chunk));
          socket.on("end", () => socket.end());
          socket.on("error", (error: NodeJS.ErrnoException) => (peer.error = error.code));
          socket.once("connect", () => {
            const send = (): void => {
              for (let i = 0; i < 8 && !socket.destroyed && !socket.writableEnded; i++) {
                const chunk = Buffer.alloc(8192, peer.sent.length & 0xff);
                peer.sent.push(chunk);
                socket.write(chunk);
              }
              if (!socket.destroyed && !socket.writableEnded) setTimeout(send, 1);
            };
            send();
            resolve(peer);
          });
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.child.kill("SIGTERM");
    await Promise.all(streams.map((s) => s.ended));
    for (const peer of streams) {
      const sent = Buffer.concat(peer.sent);
      const received = Buffer.concat(peer.received);
      expect(peer.error).toBeUndefined();
      expect(received.length).toBeGreaterThan(0);
      expect(received.equals(sent.subarray(0, received.length))).toBe(true);
    }
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it("logs connects and exits 0 on SIGTERM", async () => {
    const { app, port } = await startApp("echo-server", []);
    await roundTrip(port, Buffer.from("hi"));
    await app.waitForStderr(/disconnect 127\.0\.0\.1:\d+ \(2 bytes echoed\)/);
    app.child.kill("SIGTERM");
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it("serves its connections and bytes as Prometheus metrics with --metrics-port", async () => {
    const { app, port } = await startApp("echo-server", ["--quiet", "--metrics-port", "0"]);
    const metricsPort = Number((await app.waitForStderr(/metrics listening on http:\/\/127\.0\.0\.1:(\d+)\/metrics\n/))[1]);
    const data = Buffer.alloc(10_000, 7);
    await Promise.all([roundTrip(port, data), roundTrip(port, data.subarray(0, 1000))]);
    const families = parseScrape(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    expectDocumented(families);
    expect(sampleValue(families, "boucle_echo_connections_total")).toBe(2);
    expect(sampleValue(families, "boucle_echo_bytes_total")).toBe(11_000);
    expect(families.get("boucle_loop_lag_seconds")?.type).toBe("SUMMARY");
  });
});
