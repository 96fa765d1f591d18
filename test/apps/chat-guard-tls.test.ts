/**
 * Guard's features over the TLS listener, which shares one hub (and one
 * set of per-address counts) with the plain one: markers, liveness and
 * per-address limits, with a throwaway certificate made at test time.
 */
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { makeCertificate } from "../net/tls-certificate.ts";
import { cleanup, delay, LineClient, startApp } from "./helpers.ts";

const certificate = makeCertificate();
const sockets: TLSSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await cleanup();
});

async function servers(...args: string[]): Promise<{ port: number; tlsPort: number }> {
  const { app, port } = await startApp("chat-server", ["--quiet", "--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile, "--tls-port", "0", ...args]);
  const tlsPort = Number((await app.waitForStderr(/\(TLS\) listening on \S+:(\d+)\n/))[1]);
  return { port, tlsPort };
}

/** A TLS client trusting the test certificate, with the lines it received and whether it closed. */
function tlsClient(port: number): Promise<{ socket: TLSSocket; lines: string[]; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: "127.0.0.1", ca: certificate.cert });
    sockets.push(socket);
    const lines: string[] = [];
    let partial = "";
    let closed = false;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
    });
    socket.on("close", () => (closed = true));
    socket.on("error", () => {});
    socket.once("secureConnect", () => resolve({ socket, lines, closed: () => closed }));
    socket.once("error", reject);
  });
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await delay(10)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
  }
}

describe("guard over TLS", () => {
  it("marks a TLS member's /me as an action, pings it when silent and closes it with left (ping timeout)", async () => {
    const { port, tlsPort } = await servers("--idle-timeout", "0.4");
    const [plain] = await LineClient.joined(port);
    const secure = await tlsClient(tlsPort);
    await until("welcome", () => secure.lines.some((l) => / joined #lobby$/.test(l)));
    const nick = /you are (\S+)/.exec(secure.lines[0]!)![1]!;
    secure.socket.write("/me joined #lobby\n");
    await plain.until(`** ${nick} joined #lobby`);
    const answering = setInterval(() => plain.send("/pong"), 100);
    try {
      await until("ping", () => secure.lines.some((l) => /^\* ping [0-9a-f]{8}$/.test(l)));
      await plain.until(`* ${nick} left (ping timeout)`, 3000);
      await until("closed", secure.closed);
      expect(secure.lines).toContain("! ping timeout, closing the connection");
    } finally {
      clearInterval(answering);
    }
  });

  it("counts plain and TLS connections from one address together against --max-per-ip", async () => {
    const { port, tlsPort } = await servers("--max-per-ip", "2", "--connect-rate", "0");
    await LineClient.joined(port);
    const first = await tlsClient(tlsPort);
    await until("welcome", () => first.lines.length > 0);
    expect(first.lines[0]).toMatch(/^\* welcome/);
    const refused = await tlsClient(tlsPort);
    await until("refusal", () => refused.lines.length > 0);
    expect(refused.lines[0]).toBe("! too many connections from your address");
    await until("closed", refused.closed);
  });
});
