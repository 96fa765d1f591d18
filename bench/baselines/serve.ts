/**
 * Shared plumbing for the baseline servers: listen with every socket
 * tracked so `close()` really ends, and the small CLI both baselines run.
 *
 * Why tracked sockets: `net.Server.close()` only stops accepting and waits
 * for open connections, so a benchmark harness would hang on idle clients.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** Where a baseline server listens. */
export interface BaselineOptions {
  /** Address to bind: 127.0.0.1 or ::1 for benchmarks. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Serve TLS (Node's `tls.createServer`, callbacks too) with this certificate and key. */
  tls?: { cert: string; key: string };
}

/**
 * A plain `net` server, or with `options.tls` a `tls` one, calling
 * `onSocket` for each connection once it is ready for the protocol (after
 * the handshake for TLS).
 */
export function createBaselineServer(options: BaselineOptions, onSocket: (socket: net.Socket) => void): net.Server {
  return options.tls === undefined ? net.createServer(onSocket) : tls.createServer({ ...options.tls }, onSocket);
}

/** A running baseline server. */
export interface BaselineServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Stops accepting, destroys every open connection, resolves once closed. */
  close(): Promise<void>;
}

/**
 * Listens with `server` on `host:port`, tracking its sockets for `close()`.
 *
 * @throws the listen error (e.g. EADDRINUSE) as a rejected promise.
 */
export function listenTracked(server: net.Server, { host, port }: BaselineOptions): Promise<BaselineServer> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error("baseline server has no TCP address"));
        return;
      }
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

/** True when the module at `moduleUrl` is the script Node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === moduleUrl;
}

/**
 * Runs a baseline as a CLI: `--host` (default 127.0.0.1), `--port` and
 * optionally `--tls-cert FILE --tls-key FILE`,
 * prints `listening on HOST:PORT` to stderr, closes and exits 0 on
 * SIGINT/SIGTERM. A bad flag or listen error prints one line and exits 1.
 */
export async function runBaselineCli(
  name: string,
  defaultPort: number,
  start: (options: BaselineOptions) => Promise<BaselineServer>,
): Promise<void> {
  try {
    const { values } = parseArgs({
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: String(defaultPort) },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
      },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
    const certFile = values["tls-cert"];
    const keyFile = values["tls-key"];
    if ((certFile === undefined) !== (keyFile === undefined)) throw new Error("--tls-cert and --tls-key go together");
    const tlsFiles = certFile === undefined ? undefined : { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile!, "utf8") };
    const server = await start({ host: values.host, port, tls: tlsFiles });
    process.stderr.write(`listening on ${values.host}:${server.port}\n`);
    const stop = (): void => {
      void server.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
