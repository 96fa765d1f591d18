/**
 * End-to-end over real TLS: `boucle chat-server --tls-cert --tls-key`
 * (plain and TLS listeners serving one hub, or TLS only with --no-plain)
 * and `boucle connect --tls [--ca FILE] [--insecure]`, with a throwaway
 * certificate made at test time.
 */
import { connect as netConnect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { makeCertificate } from "../net/tls-certificate.ts";
import { AppProcess, cleanup, delay, LineClient, runApp, runAppPiped, startApp } from "./helpers.ts";

afterEach(cleanup);

const certificate = makeCertificate();
const TLS_FLAGS = ["--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile, "--tls-port", "0"];

/** The TLS port from the server's "(TLS) listening on" line. */
async function tlsPortOf(app: AppProcess): Promise<number> {
  return Number((await app.waitForStderr(/\(TLS\) listening on \S+:(\d+)\n/))[1]);
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await delay(10)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
  }
}

describe("chat-server over TLS", () => {
  it("serves plain and TLS clients in one lobby", async () => {
    const { app, port } = await startApp("chat-server", ["--quiet", ...TLS_FLAGS]);
    const tlsPort = await tlsPortOf(app);
    expect(tlsPort).not.toBe(port);
    const [plain, plainNick] = await LineClient.joined(port);
    const secure = await LineClient.connectTls(tlsPort, certificate.cert);
    await until("TLS welcome", () => secure.all.some((l) => / joined #lobby$/.test(l)));
    const secureNick = /you are (\S+)/.exec(secure.all[0]!)![1]!;
    await plain.expect(`* ${secureNick} joined #lobby`);
    secure.socket.write("hello from tls\n");
    await plain.expect(`<${secureNick}> hello from tls`);
    plain.send("hello from plain");
    await until("plain message over TLS", () => secure.all.includes(`<${plainNick}> hello from plain`));
    secure.socket.write("/quit bye\n");
    await until("goodbye over TLS", () => secure.all.includes("* goodbye"));
    await plain.expect(`* ${secureNick} left (quit: bye)`);
  });

  it("with --no-plain listens for TLS only, and a plain-text client is logged and dropped, not served", async () => {
    const { app, port } = await startApp("chat-server", [...TLS_FLAGS, "--no-plain"]);
    expect(await tlsPortOf(app)).toBe(port);
    expect(app.stderr).not.toMatch(/chat server listening on/);
    const plain = netConnect({ port, host: "127.0.0.1" });
    plain.on("error", () => {});
    plain.write("/nick plain\n");
    await app.waitForStderr(/refused a connection: TLS handshake with 127\.0\.0\.1:\d+ failed/);
    const secure = await LineClient.connectTls(port, certificate.cert);
    await until("TLS welcome", () => secure.all.some((l) => l.startsWith("* welcome, you are guest")));
    secure.socket.destroy();
    plain.destroy();
  });

  it("refuses bad TLS flags with one clear line", async () => {
    const missing = await runApp(["chat-server", "--tls-cert", "/nonexistent.pem", "--tls-key", certificate.keyFile]);
    expect([missing.code, missing.stderr]).toEqual([1, "boucle chat-server: cannot read --tls-cert /nonexistent.pem: no such file\n"]);
    const alone = await runApp(["chat-server", "--no-plain"]);
    expect([alone.code, alone.stderr]).toEqual([1, "boucle chat-server: --no-plain needs --tls-cert and --tls-key\n"]);
    const swapped = await runApp(["chat-server", "--tls-cert", certificate.keyFile, "--tls-key", certificate.certFile]);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/^boucle chat-server: --tls-cert \S+ \/ --tls-key \S+: /);
  });
});

/** `boucle connect ...args` with `input` piped to it; its exit code and output. */
function connectPiped(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runAppPiped(["connect", ...args], (stdin) => stdin.end(input));
}

describe("boucle connect --tls", () => {
  it("talks to a TLS server whose CA it is given, checks the certificate otherwise, and --insecure skips the check", async () => {
    const { app } = await startApp("chat-server", ["--quiet", ...TLS_FLAGS, "--no-plain"]);
    const address = `127.0.0.1:${await tlsPortOf(app)}`;
    const trusted = await connectPiped(["--tls", "--ca", certificate.certFile, address], "/nick secure\n/who\n");
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toMatch(/\* guest\d+ is now known as secure\n/);
    expect(trusted.stdout).toMatch(/\* #lobby has 1 member: secure\n/);

    const untrusted = await connectPiped(["--tls", address], "/who\n");
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^boucle connect: cannot connect to 127\.0\.0\.1:\d+: TLS handshake with 127\.0\.0\.1:\d+ failed: self.signed certificate \(trust its CA with --ca FILE, or --insecure\)\n$/);

    const insecure = await connectPiped(["--tls", "--insecure", address], "/who\n");
    expect(insecure.code).toBe(0);
    expect(insecure.stdout).toMatch(/\* #lobby has 1 member: guest\d+\n/);
  });
});

describe("boucle loadtest --tls", () => {
  it("load-tests the chat server over TLS with nothing lost, and refuses an untrusted certificate", async () => {
    const { app } = await startApp("chat-server", ["--quiet", "--no-flood-limit", ...TLS_FLAGS, "--no-plain"]);
    const port = String(await tlsPortOf(app));
    const load = ["loadtest", "--port", port, "--clients", "10", "--messages", "100", "--ramp", "0", "--json"];
    const trusted = await runApp([...load, "--tls", "--ca", certificate.certFile]);
    expect(trusted.code).toBe(0);
    expect(JSON.parse(trusted.stdout)).toMatchObject({ connected: 10, sent: 1000, received: 9000, lost: 0, errors: {} });
    const untrusted = await runApp([...load, "--tls"]);
    expect(untrusted.code).toBe(1);
    expect(Object.keys((JSON.parse(untrusted.stdout) as { errors: Record<string, number> }).errors)).toEqual(["DEPTH_ZERO_SELF_SIGNED_CERT"]);
  });
});

describe("boucle healthcheck --tls", () => {
  it("probes a TLS-only server with --ca, and fails with the certificate's reason without it", async () => {
    const { app } = await startApp("chat-server", ["--quiet", ...TLS_FLAGS, "--no-plain"]);
    const address = `127.0.0.1:${await tlsPortOf(app)}`;
    const trusted = await runApp(["healthcheck", "--tls", "--ca", certificate.certFile, address]);
    expect([trusted.code, trusted.stderr]).toEqual([0, ""]);
    const untrusted = await runApp(["healthcheck", "--tls", address]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/^healthcheck: 127\.0\.0\.1:\d+: TLS handshake with 127\.0\.0\.1:\d+ failed: self.signed certificate\n$/);
  });
});
