/**
 * Guard's features over the TLS listener, which shares one hub (and one
 * set of per-address counts) with the plain one: markers, liveness and
 * per-address limits, with a throwaway certificate made at test time.
 */
import { afterEach, describe, it } from "vitest";
import { makeCertificate } from "../net/tls-certificate.ts";
import { cleanup, LineClient, startApp } from "./helpers.ts";

const certificate = makeCertificate();
afterEach(cleanup);

async function servers(...args: string[]): Promise<{ port: number; tlsPort: number }> {
  const { app, port } = await startApp("chat-server", ["--quiet", "--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile, "--tls-port", "0", ...args]);
  const tlsPort = Number((await app.waitForStderr(/\(TLS\) listening on \S+:(\d+)\n/))[1]);
  return { port, tlsPort };
}

describe("guard over TLS", () => {
  it("marks a TLS member's /me as an action, pings it when silent and closes it with left (ping timeout)", async () => {
    const { port, tlsPort } = await servers("--idle-timeout", "0.4");
    const [plain] = await LineClient.joined(port);
    const secure = await LineClient.connectTls(tlsPort, certificate.cert);
    const nick = /you are (\S+)/.exec(await secure.next())![1]!;
    await secure.expect(`* ${nick} joined #lobby`);
    secure.send("/me joined #lobby");
    await plain.until(`** ${nick} joined #lobby`);
    const answering = setInterval(() => plain.send("/pong"), 100);
    try {
      await secure.until(/^\* ping [0-9a-f]{8}$/);
      await secure.expect("! ping timeout, closing the connection");
      await secure.waitClosed();
      await plain.until(`* ${nick} left (ping timeout)`, 3000);
    } finally {
      clearInterval(answering);
    }
  });

  it("counts plain and TLS connections from one address together against --max-per-ip", async () => {
    const { port, tlsPort } = await servers("--max-per-ip", "2", "--connect-rate", "0");
    await LineClient.joined(port);
    const first = await LineClient.connectTls(tlsPort, certificate.cert);
    await first.expect(/^\* welcome/);
    const refused = await LineClient.connectTls(tlsPort, certificate.cert);
    await refused.expect("! too many connections from your address");
    await refused.waitClosed();
  });
});
