/**
 * Process plumbing for the network benchmarks (bench/echo.bench.ts,
 * bench/chat.bench.ts): servers and the load generator each in their own
 * process, pinned to their own core with `taskset` where it exists, so the
 * load generator never steals the server's CPU.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { LoadtestJson } from "../../src/apps/loadtest/report.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BOUCLE = fileURLToPath(new URL("../../bin/boucle.js", import.meta.url));

/** Cores for the server and the load generator, when pinning is possible. */
export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;

/** True when `taskset` works and there are two cores to pin to. */
export const canPin: boolean = os.cpus().length >= 2 && spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/** The command line for `args`, pinned to `core` when possible. */
export function pinned(core: number, args: string[]): [string, string[]] {
  return canPin ? ["taskset", ["-c", String(core), ...args]] : [args[0]!, args.slice(1)];
}

/**
 * Pin this process, every thread of it, to `core` when possible (for a
 * bench that is its own load generator); true if it was pinned.
 */
export function pinThisProcess(core: number): boolean {
  return canPin && spawnSync("taskset", ["-a", "-p", "-c", String(core), String(process.pid)], { stdio: "ignore" }).status === 0;
}

/** How the pinning was done, for the header. */
export function pinningNote(): string {
  return canPin
    ? `pinning: server on core ${SERVER_CORE}, load generator on core ${CLIENT_CORE} (taskset)`
    : "pinning: none (taskset missing or a single core): figures are noisier";
}

export interface ServerProcess {
  label: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Start a server process (`args` after `node`, or after `command` for
 * another runtime such as /usr/bin/python3), pinned to the server core,
 * and wait for its `listening on HOST:PORT` line on stderr.
 */
export async function startServerProcess(label: string, args: string[], timeoutMs = 20_000, command = process.execPath): Promise<ServerProcess> {
  const [cmd, argv] = pinned(SERVER_CORE, [command, ...args]);
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in time:\n${stderr}`)), timeoutMs);
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      const match = /listening on \S+:(\d+)/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${stderr}`));
    });
  });
  child.stderr!.resume();
  return {
    label,
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

/**
 * Run `boucle loadtest ...args --json --no-progress`, pinned to the client
 * core; its parsed JSON (a LoadtestJson, or a ScenarioResult for `--scenario`).
 */
export function runLoadtest<T = LoadtestJson>(args: string[], timeoutMs = 120_000): Promise<T> {
  const [cmd, argv] = pinned(CLIENT_CORE, [process.execPath, BOUCLE, "loadtest", ...args, "--json", "--no-progress"]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`loadtest ${args.join(" ")} exited with ${code} and no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** `x` with at most `digits` after the point, e.g. 0.83x. */
export function ratio(ours: number, theirs: number): string {
  return theirs > 0 ? `${(ours / theirs).toFixed(2)}x` : "n/a";
}

/** A latency in ms with about 3 significant digits. */
export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * A process's resident memory now (VmRSS from /proc), in bytes; NaN where
 * /proc is missing or the process is gone.
 */
export function processRssBytes(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? NaN : Number(kb) * 1024;
  } catch {
    return NaN;
  }
}

/** Clock ticks per second of /proc/<pid>/stat (CLK_TCK: 100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * CPU time (user + system) a process has used so far, in ms, read from
 * /proc (10 ms resolution); NaN where /proc is missing. Lets a benchmark
 * say how much server CPU each message cost even when the load generator,
 * not the server, is the limit.
 */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state is fields[0], utime fields[11], stime fields[12].
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * Run `work` (a measurement of `server`) with the other servers of `all`
 * stopped (SIGSTOP, then SIGCONT). Why: every server is pinned to the same
 * core, and an idle Node server still collects garbage after a flood (V8's
 * memory reducer, a few ms at a time): in bench:chat's open loop that
 * alone put the p99 of whichever server came first after the rooms at 3 ms
 * instead of 0.7.
 */
export async function alone<T>(server: ServerProcess, all: readonly ServerProcess[], work: () => Promise<T>): Promise<T> {
  const others = all.filter((s) => s !== server);
  for (const other of others) other.child.kill("SIGSTOP");
  try {
    return await work();
  } finally {
    for (const other of others) other.child.kill("SIGCONT");
  }
}
