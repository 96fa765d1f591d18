/**
 * The three chat servers bench:chat compares, each started as its own
 * process pinned to the server core: ours (`boucle chat-server` from
 * dist/), the plain Node callback server and the Python asyncio + uvloop
 * server (bench/baselines/), the last only where /usr/bin/python3 (or
 * BENCH_PYTHON) has uvloop.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compiledBaseline } from "./compiled-baseline.ts";
import { startServerProcess, type ServerProcess } from "./processes.ts";

const BOUCLE = fileURLToPath(new URL("../../bin/boucle.js", import.meta.url));
const UVLOOP_SERVER = fileURLToPath(new URL("../baselines/chat-uvloop.py", import.meta.url));
/** Debian's python3-uvloop is for the system Python (a pyenv one on PATH may lack it). */
const PYTHON = process.env["BENCH_PYTHON"] ?? "/usr/bin/python3";

/**
 * What a benchmark must lift on our server, and only there: the per-address
 * limits (every client comes from 127.0.0.1), the per-client flood bucket
 * (a closed-loop sender floods by design) and the client cap (10 000 idle
 * connections plus the room that talks).
 */
export const OURS_BENCH_FLAGS = ["--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit", "--max-clients", "20000"];

export type ContenderKey = "ours" | "ours-small-heap" | "uvloop" | "node";

export interface Contender {
  key: ContenderKey;
  /** Its column title. */
  title: string;
  /** Measured for the memory rows only: idle, the room-of-100 flood, the idle crowd. */
  memoryOnly?: boolean;
  start(): Promise<ServerProcess>;
}

/**
 * V8's young generation capped (2 MB semi-spaces instead of 16 MB), a
 * flag for `node` itself: what our server's RSS is with the heap sized for
 * its short-lived garbage, at no CPU cost per delivery in our runs
 * (docs/performance.md).
 */
export const SMALL_HEAP_FLAG = "--max-semi-space-size=2";

const OURS: Contender = {
  key: "ours",
  title: "ours",
  start: () => startServerProcess("boucle chat-server", [BOUCLE, "chat-server", "--port", "0", "--quiet", ...OURS_BENCH_FLAGS]),
};

const OURS_SMALL_HEAP: Contender = {
  key: "ours-small-heap",
  title: `ours, ${SMALL_HEAP_FLAG}`,
  memoryOnly: true,
  start: () => startServerProcess("boucle chat-server (small heap)", [SMALL_HEAP_FLAG, BOUCLE, "chat-server", "--port", "0", "--quiet", ...OURS_BENCH_FLAGS]),
};

const NODE: Contender = {
  key: "node",
  title: "Node callbacks",
  start: () => startServerProcess("baselines/chat-server.ts", [compiledBaseline("chat-server.ts"), "--port", "0"]),
};

const UVLOOP: Contender = {
  key: "uvloop",
  title: "uvloop",
  start: () => startServerProcess("baselines/chat-uvloop.py", [UVLOOP_SERVER, "--port", "0"], 20_000, PYTHON),
};

/** Why the uvloop reference can't run here, or null when it can. */
export function uvloopMissing(): string | null {
  const probe = spawnSync(PYTHON, ["-c", "import uvloop"], { encoding: "utf8" });
  if (probe.error !== undefined) return `${PYTHON} not found (set BENCH_PYTHON)`;
  return probe.status === 0 ? null : `${PYTHON} has no uvloop (Debian: apt-get install python3-uvloop)`;
}

/** The contenders this machine can run: ours first, then uvloop (if present), then Node, then ours with a small young generation. */
export function contenders(): Contender[] {
  return [OURS, ...(uvloopMissing() === null ? [UVLOOP] : []), NODE, OURS_SMALL_HEAP];
}
