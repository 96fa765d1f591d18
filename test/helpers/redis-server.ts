/**
 * A real redis-server for integration tests: started on a free loopback port
 * and a unix socket in a fresh temporary folder, without persistence, waited
 * for until it answers PING, and stopped by its PID. `restart()` brings it
 * back empty on the same port and socket (what a crashed Redis looks like).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";

const REDIS_SERVER = process.env.REDIS_SERVER ?? "redis-server";
const READY_WITHIN_MS = 10_000;

export class RedisServerProcess {
  readonly dir: string;
  readonly socketPath: string;
  readonly port: number;
  #child: ChildProcess | null = null;
  #output = "";

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
    this.socketPath = join(dir, "redis.sock");
  }

  /** Start a server; resolves once it answers PING on its unix socket. */
  static async start(): Promise<RedisServerProcess> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new RedisServerProcess(mkdtempSync(join(tmpdir(), "boucle-redis-")), await freePort());
      try {
        await server.#spawn();
        return server;
      } catch (error) {
        lastError = error; // Why retry: the free port may have been taken between probing and binding.
        await server.stop();
      }
    }
    throw lastError;
  }

  /** `redis://127.0.0.1:PORT` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `unix:///tmp/.../redis.sock` */
  get unixUrl(): string {
    return `unix://${this.socketPath}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Stop the server by its PID (SIGKILL when `hard`), then start a new empty one on the same port and socket. */
  async restart(options: { hard?: boolean } = {}): Promise<void> {
    await this.kill(options);
    await this.startAgain();
  }

  /** Stop the server by its PID (SIGKILL when `hard`), keeping its folder for `startAgain`. */
  async kill(options: { hard?: boolean } = {}): Promise<void> {
    await this.#kill(options.hard ? "SIGKILL" : "SIGTERM");
  }

  /** Start a new, empty server on the same port and socket after `kill`. */
  async startAgain(): Promise<void> {
    await this.#spawn();
  }

  /** Stop the server by its PID and remove its folder. */
  async stop(): Promise<void> {
    await this.#kill("SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Send one command over a plain Node socket (for test set-up outside the loop); resolves with the raw reply text. */
  async command(...args: string[]): Promise<string> {
    const socket = connect({ path: this.socketPath });
    const body = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
    return await new Promise<string>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.write(body);
    });
  }

  async #spawn(): Promise<void> {
    this.#output = "";
    const child = spawn(
      REDIS_SERVER,
      [
        "--port", String(this.port),
        "--bind", "127.0.0.1",
        "--unixsocket", this.socketPath,
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", this.dir,
        "--daemonize", "no",
        "--loglevel", "warning",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#child = child;
    const keep = (data: Buffer): void => {
      this.#output = (this.#output + data.toString()).slice(-4000);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) => reject(new Error(`redis-server exited (${code ?? signal}) before answering:\n${this.#output}`))),
    );
    child.once("error", () => {}); // Reported through "exit" or the timeout below.
    exited.catch(() => {});
    await Promise.race([this.#waitForPong(), exited]);
  }

  async #waitForPong(): Promise<void> {
    const deadline = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (await pings(this.socketPath)) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within ${READY_WITHIN_MS} ms:\n${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid!, signal);
    const forced = setTimeout(() => child.exitCode === null && process.kill(child.pid!, "SIGKILL"), 3000);
    await exited;
    clearTimeout(forced);
  }
}

/** A loopback port free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** True if a PING on the unix socket gets +PONG. */
function pings(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ path });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.once("connect", () => socket.write("PING\r\n"));
    setTimeout(() => done(false), 1000).unref();
  });
}

/**
 * For a test file: one server for the whole file (started before its
 * tests, stopped after them), emptied with FLUSHALL before each test so
 * tests stay independent. Returns a getter for it.
 * @example
 * const redis = useRedisServer();
 * it("...", async () => { const url = redis().url; ... });
 */
export function useRedisServer(): () => RedisServerProcess {
  let server: RedisServerProcess | undefined;
  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    await server!.command("FLUSHALL");
  });
  return () => server!;
}
