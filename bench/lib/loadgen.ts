/**
 * The independent C load generator (../shared/loadgen, or LOADGEN_DIR): a
 * single-threaded epoll client that measures a server, not itself. Built
 * once with gcc into node_modules/.cache (its source folder is read-only in
 * CI), then run pinned to the client core with `--json`.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { CLIENT_CORE, pinned, ROOT } from "./processes.ts";

const SOURCE_DIR = process.env["LOADGEN_DIR"] ?? path.resolve(ROOT, "../shared/loadgen");
const BINARY = path.join(ROOT, "node_modules/.cache/boucle-loadgen/loadgen");

/** Latency percentiles as loadgen prints them, in µs. */
export interface LoadgenLatency {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  min: number;
}

/** What both modes report (see `loadgen -h`). */
interface LoadgenCommon {
  lat_us: LoadgenLatency;
  connect_errors: number;
  connect_timeouts: number;
  resets: number;
  eof: number;
  loadgen_cpu_pct: number;
  /** Over the measured window, with `-S PID`; -1 without. */
  server_cpu_pct: number;
  server_rss_kb: number;
  server_hwm_kb: number;
  aborted: boolean;
  ok: boolean;
}

export interface LoadgenEchoJson extends LoadgenCommon {
  mode: "echo";
  conns: number;
  ready: number;
  duration_s: number;
  round_trips: number;
  rtt_per_s: number;
  mismatches: number;
}

export interface LoadgenChatJson extends LoadgenCommon {
  mode: "chat";
  clients: number;
  ready: number;
  sent: number;
  expected: number;
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  malformed: number;
  elapsed_s: number;
  send_s: number;
  delivered_per_s: number;
  steady_delivered_per_s: number;
  stalled: boolean;
}

let built: string | null | undefined;

/**
 * The loadgen binary, built if its source is newer; null (with the reason
 * on stderr, once) when the source or gcc is missing.
 */
export function loadgenBinary(): string | null {
  if (built !== undefined) return built;
  const source = path.join(SOURCE_DIR, "loadgen.c");
  if (!existsSync(source)) {
    process.stderr.write(`loadgen: no source at ${source} (set LOADGEN_DIR): its rows are skipped\n`);
    return (built = null);
  }
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(path.dirname(BINARY), { recursive: true });
    const result = spawnSync("bash", [path.join(SOURCE_DIR, "build.sh")], { env: { ...process.env, OUT: BINARY }, encoding: "utf8" });
    if (result.status !== 0) {
      process.stderr.write(`loadgen: build failed (is gcc installed?): its rows are skipped\n${result.stderr ?? ""}`);
      return (built = null);
    }
  }
  return (built = BINARY);
}

/**
 * Run `loadgen MODE ...args --json -q HOST:PORT`, pinned to the client core,
 * with the server's PID for its CPU and RSS over the measured window.
 * Rejects when loadgen prints no JSON (a usage or setup error).
 */
export function runLoadgen(mode: "echo", args: string[], target: string, serverPid?: number): Promise<LoadgenEchoJson>;
export function runLoadgen(mode: "chat", args: string[], target: string, serverPid?: number): Promise<LoadgenChatJson>;
export function runLoadgen(mode: "echo" | "chat", args: string[], target: string, serverPid?: number): Promise<LoadgenEchoJson | LoadgenChatJson> {
  const binary = loadgenBinary();
  if (binary === null) return Promise.reject(new Error("loadgen is not available"));
  const pidArgs = serverPid === undefined ? [] : ["-S", String(serverPid)];
  const [cmd, argv] = pinned(CLIENT_CORE, [binary, mode, ...args, ...pidArgs, "--json", "-q", target]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("exit", (code) => {
      try {
        resolve(JSON.parse(stdout) as LoadgenEchoJson | LoadgenChatJson);
      } catch {
        reject(new Error(`loadgen ${mode} ${args.join(" ")} exited with ${code} and no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}
