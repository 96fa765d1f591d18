/**
 * `npm run bench:priorities`: what the chat server's priorities buy a
 * newcomer while a room is flooded (issue 4, "Priorities, used for real").
 *
 * For each mode (`boucle chat-server` as is, then with `--no-priorities`),
 * one fresh server process pinned to core 0; this process, pinned to core 1,
 * is the load: FLOODERS plain node:net clients in #lobby that each write
 * chat lines as fast as their socket takes them and read (and count)
 * everything they receive, so none is a slow reader. After the warm-up,
 * every PROBE_EVERY_MS a new client connects and measures
 *   (a) connect() -> its welcome line, and
 *   (b) `/who` sent -> the reply's first line (`* #lobby has N members: ...`),
 * then disconnects; one probe at a time, until PROBES samples (at least
 * MIN_WINDOW_MS, at most MAX_WINDOW_MS of flooding). Meanwhile the room's
 * delivered messages/s (lines the flooders receive) shows that priorities
 * don't buy the newcomer's latency by starving the flood.
 *
 * Everything on 127.0.0.1; every wait is bounded; about 30 s in all.
 */
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { environment, table } from "./lib/measure.ts";
import { CLIENT_CORE, ms, pinningNote, pinThisProcess, ratio, startServerProcess } from "./lib/processes.ts";
import { LatencyRecorder, type Percentiles } from "../src/apps/loadtest/histogram.ts";

const BOUCLE = fileURLToPath(new URL("../bin/boucle.js", import.meta.url));
const HOST = "127.0.0.1";

const FLOODERS = Number(process.env["BENCH_FLOODERS"] ?? 100);
const WARMUP_MS = 1000;
const PROBES = Number(process.env["BENCH_PROBES"] ?? 40);
const PROBE_EVERY_MS = 100;
/** Probes before the flood starts, for the idle floor. */
const IDLE_PROBES = 10;
const IDLE_WARMUP_PROBES = 3;
const MIN_WINDOW_MS = 4000;
const MAX_WINDOW_MS = 12_000;
/** A probe that gets no welcome or no `/who` reply in this long counts as timed out. */
const PROBE_TIMEOUT_MS = 5000;
/** Chat line body: 48 bytes, about a typed sentence. */
const BODY = "flood flood flood flood flood flood flood flood!";
/** What a flooder hands its socket per write: ~16 KiB of lines. */
const CHUNK = Buffer.from(`${BODY}\n`.repeat(Math.floor(16384 / (BODY.length + 1))));
const NEWLINE = 0x0a;

const WELCOME = /^\* welcome, you are /;
const WHO_REPLY = /^\* #lobby has \d+ members?:/;

interface Mode {
  name: string;
  flags: string[];
}

const MODES: Mode[] = [
  { name: "with priorities", flags: [] },
  { name: "--no-priorities", flags: ["--no-priorities"] },
];

interface ModeResult {
  /** The same probes with the 100 clients connected but silent: the floor. */
  idleWelcome: Percentiles;
  idleWho: Percentiles;
  welcome: Percentiles;
  who: Percentiles;
  timedOut: number;
  deliveredPerSecond: number;
  windowMs: number;
  flooderDrops: number;
  loadCpuPercent: number;
}

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/** Resolves after `ms`. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection after `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** One flooding member of #lobby: writes as fast as its socket takes, counts every line it gets. */
class Flooder {
  readonly socket: Socket;
  received = 0;
  /** True once the server ended the connection (e.g. dropped as a slow reader) while we flood. */
  droppedByServer = false;
  #flooding = false;
  #closing = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => (this.received += countNewlines(chunk)));
    socket.on("drain", () => this.#pump());
    socket.on("error", () => {});
    socket.on("close", () => {
      if (!this.#closing) this.droppedByServer = true;
    });
  }

  /** Connected and welcomed. */
  static async join(port: number): Promise<Flooder> {
    const socket = connect({ host: HOST, port, noDelay: true });
    const flooder = new Flooder(socket);
    await within(
      10_000,
      "flooder welcome",
      new Promise<void>((resolve, reject) => {
        socket.once("data", () => resolve());
        socket.once("close", () => reject(new Error("flooder closed before its welcome")));
      }),
    );
    return flooder;
  }

  start(): void {
    this.#flooding = true;
    this.#pump();
  }

  #pump(): void {
    while (this.#flooding && !this.socket.destroyed && this.socket.write(CHUNK));
  }

  close(): void {
    this.#flooding = false;
    this.#closing = true;
    this.socket.destroy();
  }
}

/** One newcomer: connect -> welcome, then `/who` -> its reply; ms of each. */
async function probe(port: number): Promise<{ welcomeMs: number; whoMs: number }> {
  const started = performance.now();
  const socket = connect({ host: HOST, port, noDelay: true });
  socket.setEncoding("utf8");
  let pending = "";
  let waiting: { pattern: RegExp; resolve: (at: number) => void } | null = null;
  const seen: { pattern: RegExp; at: number }[] = [];
  const lines = new Promise<never>((_, reject) => {
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("probe closed by the server")));
  });
  lines.catch(() => {});
  socket.on("data", (text: string) => {
    const at = performance.now();
    pending += text;
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n")) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (waiting !== null && waiting.pattern.test(line)) {
        const { resolve } = waiting;
        waiting = null;
        resolve(at);
      } else if (waiting === null && (WELCOME.test(line) || WHO_REPLY.test(line))) {
        seen.push({ pattern: WELCOME.test(line) ? WELCOME : WHO_REPLY, at });
      }
    }
  });
  const lineMatching = (pattern: RegExp): Promise<number> => {
    const early = seen.find((s) => s.pattern === pattern);
    if (early !== undefined) return Promise.resolve(early.at);
    return within(PROBE_TIMEOUT_MS, `probe waiting for ${pattern}`, Promise.race([lines, new Promise<number>((resolve) => (waiting = { pattern, resolve }))]));
  };
  try {
    const welcomedAt = await lineMatching(WELCOME);
    const askedAt = performance.now();
    socket.write("/who\n");
    const answeredAt = await lineMatching(WHO_REPLY);
    return { welcomeMs: welcomedAt - started, whoMs: answeredAt - askedAt };
  } finally {
    socket.destroy();
  }
}

async function runMode(mode: Mode): Promise<ModeResult> {
  const server = await startServerProcess(`chat-server ${mode.name}`, [BOUCLE, "chat-server", "--port", "0", "--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit", ...mode.flags]);
  const flooders: Flooder[] = [];
  try {
    // Join in small batches: a burst of 100 SYNs at once can overflow the listen backlog.
    for (let i = 0; i < FLOODERS; i += 20) {
      flooders.push(...(await Promise.all(Array.from({ length: Math.min(20, FLOODERS - i) }, () => Flooder.join(server.port)))));
    }
    const idleWelcome = new LatencyRecorder();
    const idleWho = new LatencyRecorder();
    for (let i = -IDLE_WARMUP_PROBES; i < IDLE_PROBES; i++) {
      const result = await probe(server.port);
      if (i < 0) continue; // Warms up both processes' code paths.
      idleWelcome.record(result.welcomeMs);
      idleWho.record(result.whoMs);
    }
    for (const flooder of flooders) flooder.start();
    await delay(WARMUP_MS);

    const welcome = new LatencyRecorder();
    const who = new LatencyRecorder();
    let timedOut = 0;
    const receivedBefore = flooders.reduce((n, f) => n + f.received, 0);
    const cpuBefore = process.cpuUsage();
    const windowStart = performance.now();
    let samples = 0;
    for (;;) {
      const elapsed = performance.now() - windowStart;
      if ((samples >= PROBES && elapsed >= MIN_WINDOW_MS) || elapsed >= MAX_WINDOW_MS) break;
      const probeStart = performance.now();
      try {
        const result = await probe(server.port);
        welcome.record(result.welcomeMs);
        who.record(result.whoMs);
        samples++;
      } catch (error) {
        timedOut++;
        process.stderr.write(`  probe failed: ${(error as Error).message}\n`);
      }
      const wait = PROBE_EVERY_MS - (performance.now() - probeStart);
      if (wait > 0) await delay(wait);
    }
    const windowMs = performance.now() - windowStart;
    const cpu = process.cpuUsage(cpuBefore);
    const received = flooders.reduce((n, f) => n + f.received, 0) - receivedBefore;
    return {
      idleWelcome: idleWelcome.percentiles(),
      idleWho: idleWho.percentiles(),
      welcome: welcome.percentiles(),
      who: who.percentiles(),
      timedOut,
      deliveredPerSecond: (received * 1000) / windowMs,
      windowMs,
      flooderDrops: flooders.filter((f) => f.droppedByServer).length,
      loadCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / windowMs) * 100),
    };
  } finally {
    for (const flooder of flooders) flooder.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const pinnedSelf = pinThisProcess(CLIENT_CORE);
  console.log("# bench:priorities: a newcomer's latency while the room is flooded, with and without priorities\n");
  for (const line of [...environment(), pinningNote()]) console.log(line);
  if (!pinnedSelf) console.log("(this process, the load generator, is not pinned)");
  console.log(
    `load: ${FLOODERS} clients in #lobby, each writing ${BODY.length + 1}-byte lines as fast as its socket takes them (no flood limit), ` +
      `reading everything; ${WARMUP_MS / 1000} s warm-up, then one probe client every ${PROBE_EVERY_MS} ms (one at a time) ` +
      `until ${PROBES} samples, ${MIN_WINDOW_MS / 1000}-${MAX_WINDOW_MS / 1000} s\n`,
  );
  const results: ModeResult[] = [];
  for (const mode of MODES) {
    const result = await runMode(mode);
    results.push(result);
    process.stderr.write(
      `  ${mode.name.padEnd(16)} welcome p50 ${ms(result.welcome.p50)} ms, /who p50 ${ms(result.who.p50)} ms, ` +
        `${Math.round(result.deliveredPerSecond).toLocaleString("en-US")} msg/s delivered, ${result.welcome.count} samples in ${(result.windowMs / 1000).toFixed(1)} s\n`,
    );
  }
  const [on, off] = results as [ModeResult, ModeResult];
  const rows: string[][] = [];
  for (const [label, key, idle] of [["connect → welcome", "welcome", "idleWelcome"], ["/who round trip", "who", "idleWho"]] as const) {
    rows.push([`${label}, idle room, p50 (ms)`, ms(on[idle].p50), ms(off[idle].p50), "-"]);
    for (const p of ["p50", "p90", "p99", "max"] as const) {
      rows.push([`${label} ${p} (ms)`, ms(on[key][p]), ms(off[key][p]), ratio(off[key][p], on[key][p])]);
    }
  }
  const rate = (r: ModeResult): string => Math.round(r.deliveredPerSecond).toLocaleString("en-US");
  rows.push(["room: delivered msg/s", rate(on), rate(off), ratio(off.deliveredPerSecond, on.deliveredPerSecond)]);
  rows.push(["samples (timed out)", `${on.welcome.count} (${on.timedOut})`, `${off.welcome.count} (${off.timedOut})`, "-"]);
  rows.push(["window (s)", (on.windowMs / 1000).toFixed(1), (off.windowMs / 1000).toFixed(1), "-"]);
  rows.push(["flooders dropped by the server", String(on.flooderDrops), String(off.flooderDrops), "-"]);
  rows.push(["load process CPU (% of a core)", `${on.loadCpuPercent}%`, `${off.loadCpuPercent}%`, "-"]);
  console.log(table(["", MODES[0]!.name, MODES[1]!.name, "without / with"], rows, [1, 2, 3]));
  console.log(
    "\nwelcome: from connect() to the welcome line; /who: from writing `/who` to its first reply line; both as the probe sees them" +
      "\n(this process also runs the flood, so its own event loop delay is included in both modes alike)." +
      `\nidle room: ${IDLE_PROBES} probes with the ${FLOODERS} clients connected but silent, before the flood. With ~40 samples, p99 is the max or next to it.` +
      "\ndelivered msg/s: lines the flooders received during the probe window (each message counts once per receiver, 99 per send)." +
      "\nwithout / with: above 1 means priorities help (latency rows) or cost nothing (msg/s near 1).",
  );
  if (on.timedOut + off.timedOut > 0 || on.welcome.count === 0 || off.welcome.count === 0) process.exitCode = 1;
}

await main();
