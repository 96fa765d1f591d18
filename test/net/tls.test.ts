/**
 * TLS on the same stream API, over real TLS on loopback, with a
 * certificate made at test time.
 */
import { connect as nodeConnect } from "node:net";
import { describe, expect, it } from "vitest";
import { fromPromise, sleep, type Coro } from "../../src/loop/index.ts";
import {
  CertificateError,
  connect,
  listen,
  openConnection,
  startServer,
  TlsHandshakeError,
  type NetError,
} from "../../src/net/index.ts";
import { echoBytes, echoLines, pattern, runNet, within } from "./helpers.ts";
import { makeCertificate } from "./tls-certificate.ts";

const certificate = makeCertificate();
const tls = { cert: certificate.cert, key: certificate.key };

describe("TLS", () => {
  it("echoes lines over TLS with the same reader and writer, to a client that trusts the certificate", async () => {
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoLines, { tls });
      const [reader, writer] = yield* within(5_000, openConnection("localhost", server.port, { tls: { ca: certificate.cert } }));
      writer.write("hello over tls\n");
      const line = (yield* within(5_000, reader.readline())).toString();
      const isTls = writer.socket.isTls;
      writer.close();
      server.close();
      yield* within(5_000, server.waitClosed());
      return { line, isTls };
    });
    expect(value).toEqual({ line: "hello over tls\n", isTls: true });
  });

  it("moves 4 MiB each way intact, with backpressure, and half-close still works", async () => {
    const { value } = await runNet(function* (loop) {
      const server = yield* startServer(echoBytes, { tls });
      const [reader, writer] = yield* within(5_000, openConnection("127.0.0.1", server.port, { tls: { ca: certificate.cert } }));
      const data = pattern(4 << 20);
      const sending = loop.createTask(
        (function* (): Coro<void> {
          for (let at = 0; at < data.length; at += 64 * 1024) {
            writer.write(data.subarray(at, at + 64 * 1024));
            yield* writer.drain();
          }
          writer.writeEof(); // Half-close: the server echoes the rest, then ends.
        })(),
      );
      const echoed = yield* within(20_000, reader.read());
      yield* sending;
      server.close();
      yield* within(5_000, server.waitClosed());
      return echoed.equals(data);
    });
    expect(value).toBe(true);
  });

  it("refuses a self-signed certificate the client does not trust, with a typed CertificateError carrying the address", async () => {
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoLines, { tls, onAcceptError: () => {} });
      let error: unknown;
      try {
        yield* within(5_000, connect({ host: "127.0.0.1", port: server.port, tls: {} }));
      } catch (e) {
        error = e;
      }
      const port = server.port;
      server.close();
      return { error, port };
    });
    expect(value.error).toBeInstanceOf(CertificateError);
    const error = value.error as CertificateError;
    expect(error.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect([error.host, error.port]).toEqual(["127.0.0.1", value.port]);
  });

  it("refuses a certificate for another name (CertificateError), and accepts any with rejectUnauthorized: false", async () => {
    const { value } = await runNet(function* () {
      const server = yield* startServer(echoLines, { tls, onAcceptError: () => {} });
      let error: unknown;
      try {
        yield* within(5_000, connect({ port: server.port, tls: { ca: certificate.cert, servername: "example.org" } }));
      } catch (e) {
        error = e;
      }
      const [reader, writer] = yield* within(5_000, openConnection("127.0.0.1", server.port, { tls: { rejectUnauthorized: false } }));
      writer.write("insecure but encrypted\n");
      const line = (yield* within(5_000, reader.readline())).toString();
      writer.close();
      server.close();
      yield* within(5_000, server.waitClosed());
      return { error, line };
    });
    expect(value.error).toBeInstanceOf(CertificateError);
    expect((value.error as CertificateError).code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(value.line).toBe("insecure but encrypted\n");
  });

  it("reports a plain-text client as a TlsHandshakeError with its address, and goes on serving", async () => {
    const { value } = await runNet(function* () {
      const failures: NetError[] = [];
      let handled = 0;
      const server = yield* startServer(
        function* (reader, writer) {
          handled++;
          yield* echoLines(reader, writer);
        },
        { tls, onAcceptError: (error) => failures.push(error) },
      );
      const plain = nodeConnect({ port: server.port, host: "127.0.0.1" });
      plain.on("error", () => {});
      yield* fromPromise(new Promise((resolve) => plain.once("connect", resolve)));
      const plainPort = plain.localPort;
      plain.write("/nick mallory\n");
      for (let i = 0; i < 200 && failures.length === 0; i++) yield* sleep(10);
      plain.destroy();
      const [reader, writer] = yield* within(5_000, openConnection("localhost", server.port, { tls: { ca: certificate.cert } }));
      writer.write("still here\n");
      const line = (yield* within(5_000, reader.readline())).toString();
      writer.close();
      server.close();
      yield* within(5_000, server.waitClosed());
      return { failures, plainPort, line, handled };
    });
    expect(value.failures).toHaveLength(1);
    expect(value.failures[0]).toBeInstanceOf(TlsHandshakeError);
    expect([value.failures[0]!.host, value.failures[0]!.port]).toEqual(["127.0.0.1", value.plainPort]);
    expect(value.line).toBe("still here\n");
    expect(value.handled).toBe(1); // The handler never saw the plain-text client.
  });

  it("drops a client that never starts its handshake after the server's timeout", async () => {
    const { value } = await runNet(function* () {
      const failures: NetError[] = [];
      const server = yield* startServer(echoLines, { tls: { ...tls, handshakeTimeoutMs: 200 }, onAcceptError: (e) => failures.push(e) });
      const silent = nodeConnect({ port: server.port, host: "127.0.0.1" });
      silent.on("error", () => {});
      const closed = new Promise<void>((resolve) => silent.once("close", () => resolve()));
      const started = Date.now();
      for (let i = 0; i < 300 && failures.length === 0; i++) yield* sleep(10);
      const tookMs = Date.now() - started;
      yield* within(2_000, fromPromise(closed));
      server.close();
      return { failures, tookMs };
    });
    expect(value.failures).toHaveLength(1);
    expect(value.failures[0]).toBeInstanceOf(TlsHandshakeError);
    expect(value.failures[0]!.code).toBe("ETIMEDOUT");
    expect(value.tookMs).toBeGreaterThanOrEqual(150);
  });

  it("a TLS client talking to a plain server fails with TlsHandshakeError, not a crash", async () => {
    const { value } = await runNet(function* (loop) {
      const server = yield* listen();
      let error: unknown;
      try {
        const task = loop.createTask(connect({ port: server.port, timeoutMs: 3_000, tls: { rejectUnauthorized: false } }));
        const peer = yield* within(2_000, server.accept());
        peer.write("* welcome, this is not TLS\n");
        peer.flush();
        yield* task;
      } catch (e) {
        error = e;
      }
      server.close();
      return error;
    });
    expect(value).toBeInstanceOf(TlsHandshakeError);
  });
});
