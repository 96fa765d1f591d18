/**
 * Start-up time of the `boucle` command, built (bin/boucle.js running
 * dist/) against the same CLI run from its sources through tsx, as it was
 * before the build, and against bare `node` (the floor):
 * - chat-server: process start to its "listening on" line;
 * - healthcheck: a whole run against a live server, start to exit.
 * "From source" is measured twice: with tsx's compile cache warm (its best
 * case) and with it off (TSX_DISABLE_CACHE=1: a first run, or a container
 * whose /tmp is fresh). Runs are interleaved (built, source, ...) so drift
 * hits all alike; medians and p90 of TRIALS runs each, after one unmeasured
 * warm-up run each.
 *
 * Run: npm run bench:startup
 */
import { spawn } from "node:child_process";
import { environment, median, table } from "./lib/measure.ts";
import { ROOT } from "./lib/processes.ts";

const TRIALS = 15;
const BUILT = ["bin/boucle.js"];
const SOURCE = ["--import", "tsx", "bench/startup/from-source.ts"];
const NO_TSX_CACHE = { TSX_DISABLE_CACHE: "1" };

/** Milliseconds from spawning `node ARGS` to its "listening on" line (then it is killed) or to its exit (which must be 0). */
function timeProcess(args: string[], until: "listening" | "exit", env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (until === "listening" && /listening on /.test(stderr)) {
        resolve(performance.now() - start);
        child.kill("SIGKILL");
      }
    });
    child.once("exit", (code) => {
      if (until === "exit" && code === 0) resolve(performance.now() - start);
      else if (until === "exit") reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr}`));
    });
    child.once("error", reject);
  });
}

function p90(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)]!;
}

async function measure(cases: Record<string, () => Promise<number>>): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {};
  for (const run of Object.values(cases)) await run(); // warm-up: disk cache, tsx's cache
  for (let i = 0; i < TRIALS; i++) {
    for (const [name, run] of Object.entries(cases)) (samples[name] ??= []).push(await run());
  }
  return samples;
}

// A server for the healthchecks to probe (the built one; it only has to answer).
const server = spawn(process.execPath, [...BUILT, "chat-server", "--port", "0", "--quiet"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
const port = await new Promise<number>((resolve) => {
  let stderr = "";
  server.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    const match = /listening on \S+:(\d+)/.exec(stderr);
    if (match) resolve(Number(match[1]));
  });
});

const chat = await measure({
  built: () => timeProcess([...BUILT, "chat-server", "--port", "0", "--quiet"], "listening"),
  source: () => timeProcess([...SOURCE, "chat-server", "--port", "0", "--quiet"], "listening"),
  cold: () => timeProcess([...SOURCE, "chat-server", "--port", "0", "--quiet"], "listening", NO_TSX_CACHE),
  node: () => timeProcess(["-e", "process.stderr.write('listening on x\\n'); setTimeout(() => {}, 10000)"], "listening"),
});
const health = await measure({
  built: () => timeProcess([...BUILT, "healthcheck", `127.0.0.1:${port}`], "exit"),
  source: () => timeProcess([...SOURCE, "healthcheck", `127.0.0.1:${port}`], "exit"),
  cold: () => timeProcess([...SOURCE, "healthcheck", `127.0.0.1:${port}`], "exit", NO_TSX_CACHE),
  node: () => timeProcess(["-e", ""], "exit"),
});
server.kill("SIGTERM");

const fmt = (v: number): string => `${v.toFixed(0)} ms`;
const rows = [
  ["chat-server: start to listening", chat],
  ["healthcheck: a whole run", health],
] as const;
console.log(environment().join("\n"));
console.log(`${TRIALS} runs each, interleaved; median (p90)\n`);
console.log(
  table(
    ["", "built (dist/)", "source, tsx cache", "source, no cache", "bare node", "source / built"],
    rows.map(([label, s]) => {
      const cell = (name: string): string => `${fmt(median(s[name]!))} (${fmt(p90(s[name]!))})`;
      const ratio = (name: string): string => (median(s[name]!) / median(s["built"]!)).toFixed(2);
      return [label, cell("built"), cell("source"), cell("cold"), cell("node"), `${ratio("source")}x / ${ratio("cold")}x`];
    }),
    [1, 2, 3, 4, 5],
  ),
);
