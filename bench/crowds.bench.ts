/**
 * `npm run bench:crowds`: the hostile crowds of issue 16, each replayed by
 * `boucle loadtest --scenario` against a fresh `boucle chat-server` (default
 * flags: flood limit, 1 MiB per client, 256 MiB for all, quiet rooms above
 * 100), while a probe pair in its own room measures a line's
 * send-to-receive time and a newcomer's connect-to-welcome, at rest and
 * under attack, in the same run. Server RSS is sampled from /proc every
 * 100 ms; the peak is reported.
 *
 * The goals: attack p99 within 2x of rest; 10 000 clients welcomed within
 * 3 s of the last connect; RSS bounded whatever the number of slow readers.
 *
 * Env: BENCH_REST (s, default 5), BENCH_DURATION (s, default 15; slow
 * readers get twice that, so their kernel buffers fill and the bounds act),
 * BENCH_CROWD (default 10000), BENCH_SERVER (another checkout's
 * bin/boucle.js, to measure an older server the same way).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScenarioResult } from "../src/apps/loadtest/scenarios.ts";
import { environment, table } from "./lib/measure.ts";
import { ms, pinningNote, runLoadtest, startServerProcess } from "./lib/processes.ts";

const BOUCLE = fileURLToPath(new URL("../bin/boucle.js", import.meta.url));
const SERVER = process.env["BENCH_SERVER"] ?? BOUCLE;
const REST_S = process.env["BENCH_REST"] ?? "5";
const DURATION_S = Number(process.env["BENCH_DURATION"] ?? 15);
const CROWD = process.env["BENCH_CROWD"] ?? "10000";

interface Case {
  name: string;
  args: string[];
  durationS: number;
}

const CASES: Case[] = [
  { name: `crowd of ${CROWD}`, args: ["--scenario", "crowd", "--clients", CROWD, "--ramp", "2000/s"], durationS: DURATION_S },
  { name: "churn: room of 3000, 20/s", args: ["--scenario", "churn", "--clients", "3000", "--churn", "20/s", "--ramp", "2000/s"], durationS: DURATION_S },
  { name: "silent: 2000", args: ["--scenario", "silent", "--clients", "2000", "--ramp", "2000/s"], durationS: DURATION_S },
  { name: "slow readers: 500, 20 flooders", args: ["--scenario", "slow-readers", "--clients", "500", "--flooders", "20"], durationS: 2 * DURATION_S },
  { name: "slow readers: 2000, 20 flooders", args: ["--scenario", "slow-readers", "--clients", "2000", "--flooders", "20", "--ramp", "2000/s"], durationS: 2 * DURATION_S },
];

/** Resident set size of a process in bytes, from /proc; NaN where it is missing. */
function rssBytes(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  } catch {
    return NaN;
  }
}

function runScenario(port: number, c: Case): Promise<ScenarioResult> {
  const args = [...c.args, "--port", String(port), "--rest", REST_S, "--duration", String(c.durationS), "--connect-timeout", "30"];
  return runLoadtest<ScenarioResult>(args, 600_000);
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
const x = (attack: number, rest: number): string => (rest > 0 ? `${(attack / rest).toFixed(1)}x` : "-");

async function main(): Promise<void> {
  console.log("# bench:crowds: the probe pair at rest and under a hostile crowd, one fresh server per scenario\n");
  for (const line of [...environment(), pinningNote(), `server: ${SERVER}`]) console.log(line);
  console.log(`rest ${REST_S} s, attack ${DURATION_S} s (slow readers ${2 * DURATION_S} s); line = probe send-to-receive, welcome = a newcomer's connect-to-welcome (ms)\n`);
  const rows: string[][] = [];
  for (const c of CASES) {
    const server = await startServerProcess("boucle chat-server", [SERVER, "chat-server", "--port", "0", "--quiet", "--max-per-ip", "0", "--connect-rate", "0"]);
    let peak = rssBytes(server.child.pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(server.child.pid))), 100);
    try {
      const r = await runScenario(server.port, c);
      const { rest, attack, attackers } = r;
      const extra = [
        attackers.lastWelcomeAfterLastConnectMs !== null ? `all welcomed ${ms(attackers.lastWelcomeAfterLastConnectMs)} ms after the last connect` : "",
        attackers.evicted !== null ? `${attackers.evicted} dropped as slow readers` : "",
        attackers.failed > 0 ? `${attackers.failed} failed to connect` : "",
        Object.keys(r.errors).length > 0 ? `errors ${JSON.stringify(r.errors)}` : "",
      ].filter(Boolean);
      rows.push([
        c.name,
        ms(rest.line.p50), ms(attack.line.p50),
        ms(rest.line.p99), ms(attack.line.p99), x(attack.line.p99, rest.line.p99),
        ms(rest.welcome.p99), ms(attack.welcome.p99),
        mb(peak),
        extra.join("; "),
      ]);
      console.log(`${c.name}: done`);
    } finally {
      clearInterval(sampler);
      await server.stop();
    }
  }
  console.log("");
  console.log(
    table(
      ["scenario", "p50 rest", "p50 attack", "p99 rest", "p99 attack", "p99 ratio", "welcome p99 rest", "welcome p99 attack", "server peak RSS", "notes"],
      rows,
      [1, 2, 3, 4, 5, 6, 7, 8],
    ),
  );
}

await main();
