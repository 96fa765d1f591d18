/**
 * Helpers for end-to-end tests of the apps: start a real `boucle` process
 * on an ephemeral port, and drive it with plain `node:net` clients that
 * read lines. Every process and socket made here is remembered, so one
 * `afterEach(cleanup)` kills and closes them all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/boucle.js", import.meta.url));

/** How long a helper waits for an expected line or event by default (ms). */
export const WAIT_MS = 5000;

const processes = new Set<ChildProcess>();
const sockets = new Set<Socket>();

/** Kill every process and destroy every socket the helpers made. */
export async function cleanup(): Promise<void> {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  const exits: Promise<unknown>[] = [];
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) {
      exits.push(new Promise((resolve) => child.once("exit", resolve)));
      child.kill("SIGKILL");
    }
  }
  processes.clear();
  await Promise.all(exits);
}

/** A spawned `boucle` subcommand, with its stderr kept as lines. */
export class AppProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    processes.add(this.child);
    this.child.stdout!.setEncoding("utf8").on("data", (s: string) => (this.stdout += s));
    this.child.stderr!.setEncoding("utf8").on("data", (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolve once stderr matches `pattern`, with the match. */
  async waitForStderr(pattern: RegExp, ms = WAIT_MS): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = this.stderr.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`stderr never matched ${pattern} (exit ${this.child.exitCode}); stderr so far:\n${this.stderr}`);
      }
      await delay(10);
    }
  }
}

/**
 * Start `boucle <command> --port 0 ...args` and wait for its "listening on
 * HOST:PORT" line; the port is the real one.
 */
export async function startApp(command: string, args: string[] = [], env?: NodeJS.ProcessEnv): Promise<{ app: AppProcess; port: number }> {
  const app = new AppProcess([command, "--port", "0", ...args], env);
  const match = await app.waitForStderr(/listening on \S+:(\d+)\n/, 15_000);
  return { app, port: Number(match[1]) };
}

/** Run `boucle ...args` to its end. */
export async function runApp(args: string[], ms = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const app = new AppProcess(args);
  const timer = setTimeout(() => app.child.kill("SIGKILL"), ms);
  const { code } = await app.exited;
  clearTimeout(timer);
  return { code, stdout: app.stdout, stderr: app.stderr };
}

/** Run `boucle ...args` to its end with its stdin piped; `feed` writes to it (and may end it). */
export async function runAppPiped(
  args: string[],
  feed: (stdin: NodeJS.WritableStream) => void,
  ms = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  processes.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  child.stdin.on("error", () => {}); // the app may exit before reading everything
  feed(child.stdin);
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  child.stdin.destroy();
  return { code, stdout, stderr };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A TCP client that collects the lines it receives. Lines are taken in
 * order with `next()` / `expect()`; `closed` resolves when the server closes.
 */
export class LineClient {
  readonly socket: Socket;
  readonly lines: string[] = [];
  /** Every line received so far, taken or not. */
  readonly all: string[] = [];
  #partial = "";
  #wake: (() => void) | null = null;
  ended = false;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    sockets.add(socket);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      const parts = (this.#partial + chunk).split("\n");
      this.#partial = parts.pop()!;
      this.lines.push(...parts);
      this.all.push(...parts);
      this.#notify();
    });
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        this.ended = true;
        this.#notify();
        resolve();
      }),
    );
    // The server's EOF ends the conversation: finish our side too, as nc does.
    socket.on("end", () => socket.end());
    socket.on("error", () => {});
  }

  /** Connect (allowHalfOpen, so `endInput()` keeps the reading side open). */
  static connect(port: number, host = "127.0.0.1"): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, allowHalfOpen: true });
      socket.setNoDelay(true);
      socket.once("error", reject);
      socket.once("connect", () => resolve(new LineClient(socket)));
    });
  }

  /** Connect over TLS, trusting `ca` (PEM); resolves once the handshake is done. */
  static connectTls(port: number, ca: string | Buffer, host = "127.0.0.1"): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ port, host, ca });
      socket.once("error", reject);
      socket.once("secureConnect", () => resolve(new LineClient(socket)));
    });
  }

  /**
   * Connect `n` clients one after the other; each has taken its welcome and
   * every join notice up to the last one's, so their queues start empty.
   */
  static async room(port: number, n: number): Promise<[LineClient, string][]> {
    const clients: [LineClient, string][] = [];
    for (let i = 0; i < n; i++) {
      const [client, nick] = await LineClient.joined(port);
      for (const [other] of clients) await other.expect(`* ${nick} joined #lobby`);
      clients.push([client, nick]);
    }
    return clients;
  }

  /**
   * Connect, take the welcome and the lobby's join notice, and send a first
   * line (`/sync`), so the lobby is told of the arrival now rather than after
   * the admission delay; returns the guest nickname.
   */
  static async joined(port: number): Promise<[LineClient, string]> {
    const client = await LineClient.connect(port);
    const welcome = await client.next();
    const nick = /you are (\S+)/.exec(welcome)![1]!;
    await client.expect(`* ${nick} joined #lobby`);
    await client.sync();
    return [client, nick];
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Send lines, each followed by `\n`. */
  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => `${l}\n`).join(""));
  }

  /** Send raw bytes. */
  sendRaw(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** Half-close: our side sends EOF. */
  endInput(): void {
    this.socket.end();
  }

  /** The next line, waiting up to `ms`. @throws if none comes. */
  async next(ms = WAIT_MS): Promise<string> {
    const deadline = Date.now() + ms;
    while (this.lines.length === 0) {
      if (this.ended) throw new Error(`connection closed; lines so far: ${brief(this.all.slice(-10))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${ms} ms; lines so far: ${brief(this.all.slice(-10))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.lines.shift()!;
  }

  /** Take the next line and check it equals `line` (or matches it). */
  async expect(line: string | RegExp, ms = WAIT_MS): Promise<string> {
    const got = await this.next(ms);
    if (typeof line === "string" ? got !== line : !line.test(got)) {
      throw new Error(`expected ${String(line)}, got ${brief([got])}`);
    }
    return got;
  }

  /** Take lines up to and including the first that matches; returns the lines before it. */
  async until(line: string | RegExp, ms = WAIT_MS): Promise<string[]> {
    const before: string[] = [];
    for (;;) {
      const got = await this.next(ms);
      if (typeof line === "string" ? got === line : line.test(got)) return before;
      before.push(got);
    }
  }

  /**
   * Send an unknown command and take every line up to its reply: by the
   * protocol, everything sent before it has then been processed.
   */
  async sync(ms = WAIT_MS): Promise<string[]> {
    this.send("/sync");
    return this.until("! unknown command /sync (try /help)", ms);
  }

  /** Wait until the server closes the connection. */
  async waitClosed(ms = WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms))),
    ]);
    clearTimeout(timer);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Lines for an error message, each cut to 100 characters. */
function brief(lines: string[]): string {
  return JSON.stringify(lines.map((l) => (l.length > 100 ? `${l.slice(0, 100)}...(${l.length} chars)` : l)));
}
