/**
 * `npm run bench:cluster`: what sharing one chat through Redis costs. One
 * room of K = 100 clients (closed loop, window 8, 64-byte bodies), against:
 *
 *   1. one `boucle chat-server` without Redis (today's server: the baseline);
 *   2. one server with `--redis` (every line goes to Redis and back);
 *   3. two servers on the same Redis, the clients spread over both (`--targets`);
 *   4. `--workers 2 --redis`: two worker processes on one port.
 *
 * For each: deliveries/s, send-to-receive p50/p99 (same-server and
 * cross-server receivers apart where there are two), the servers' CPU per
 * delivery, Redis' CPU and output bytes per broker message (XADD), and the
 * loss check of the load test. The broker carries one copy of a line per
 * server, not per member: Redis' output per message is about one line per
 * server, whatever the room's size.
 *
 * All server-side processes (chat servers, workers, redis-server) are pinned
 * to core 0, the load generator to core 1 (taskset): on this 2-core machine
 * a second server can't add CPU, so the table is about cost per message.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { RedisServerProcess } from "../test/helpers/redis-server.ts";
import { environment, median, table } from "./lib/measure.ts";
import { canPin, ms, pinningNote, processCpuMs, ratio, runLoadtest, SERVER_CORE, startServerProcess, type ServerProcess } from "./lib/processes.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 2);
const DURATION_S = process.env["BENCH_DURATION"] ?? "3";
const CLIENTS = 100;
const WINDOW = 8;
const BOUCLE = fileURLToPath(new URL("../bin/boucle.js", import.meta.url));

interface Setup {
  name: string;
  redis: boolean;
  start(redisUrl: string): Promise<ServerProcess[]>;
}

const serverArgs = (redisUrl?: string, extra: string[] = []): string[] => [
  BOUCLE, "chat-server", "--port", "0", "--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit", ...(redisUrl === undefined ? [] : ["--redis", redisUrl]), ...extra,
];

const SETUPS: Setup[] = [
  { name: "1 server, no Redis", redis: false, start: async () => [await startServerProcess("chat-server", serverArgs())] },
  { name: "1 server + Redis", redis: true, start: async (url) => [await startServerProcess("chat-server --redis", serverArgs(url))] },
  {
    name: "2 servers + Redis",
    redis: true,
    start: async (url) => Promise.all([startServerProcess("node 1", serverArgs(url)), startServerProcess("node 2", serverArgs(url))]),
  },
  { name: "--workers 2 + Redis", redis: true, start: async (url) => [await startServerProcess("workers", serverArgs(url, ["--workers", "2"]))] },
];

/** CPU ms of a server process and of its children (the workers of --workers). */
function treeCpuMs(server: ServerProcess): number {
  const pid = server.child.pid!;
  // Why ps: the workers are children of the primary (or of taskset's exec'd node), and /proc/PID/stat counts a child only once it exits.
  const children = spawnSync("ps", ["--ppid", String(pid), "-o", "pid="], { encoding: "utf8" }).stdout.split("\n").map(Number).filter((n) => n > 0);
  return [pid, ...children].reduce((sum, p) => sum + processCpuMs(p), 0);
}

/** Redis' CPU (ms), XADD calls and output bytes so far, from INFO. */
async function redisCounters(redis: RedisServerProcess): Promise<{ cpuMs: number; xadds: number; outBytes: number }> {
  const info = await redis.command("INFO", "everything");
  const number = (pattern: RegExp): number => Number(pattern.exec(info)?.[1] ?? 0);
  return {
    cpuMs: (number(/used_cpu_sys:([\d.]+)/) + number(/used_cpu_user:([\d.]+)/)) * 1000,
    xadds: number(/cmdstat_xadd:calls=(\d+)/),
    outBytes: number(/total_net_output_bytes:(\d+)/),
  };
}

async function main(): Promise<void> {
  console.log("# bench:cluster: one room of 100 clients over 1 and 2 chat servers, with and without Redis\n");
  for (const line of [...environment(), pinningNote(), `redis-server: ${spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout.trim()}`]) console.log(line);
  console.log(`each cell: median of ${ROUNDS} runs of 1 s warm-up + ${DURATION_S} s of sending, ${CLIENTS} clients, window ${WINDOW}, 64-byte bodies\n`);
  const redis = await RedisServerProcess.start();
  // The server side shares core 0 with the chat servers: Redis' cost is part of the servers' cost.
  if (canPin && redis.pid !== undefined) spawnSync("taskset", ["-a", "-p", "-c", String(SERVER_CORE), String(redis.pid)], { stdio: "ignore" });
  const rows: string[][] = [];
  let baselineRate = NaN;
  let failed = false;
  try {
    for (const setup of SETUPS) {
      const servers = await setup.start(redis.url);
      const samples: { rate: number; p50: number; p99: number; same: string; cross: string; serverUs: number; redisUs: number; redisBytes: number; perXadd: number; clean: boolean; faults: number }[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          await redis.command("FLUSHALL");
          const cpuBefore = servers.map(treeCpuMs);
          const redisBefore = await redisCounters(redis);
          const targets = servers.map((s) => `127.0.0.1:${s.port}`).join(",");
          const json = await runLoadtest(
            ["--mode", "chat", "--targets", targets, "--clients", String(CLIENTS), "--pipeline", String(WINDOW), "--size", "64", "--warmup", "1", "--duration", DURATION_S, "--ramp", "2000/s", "--drain-timeout", "10"],
            180_000,
          );
          const cpuAfter = servers.map(treeCpuMs);
          const redisAfter = await redisCounters(redis);
          const deliveries = Math.max(1, json.received);
          const xadds = Math.max(1, redisAfter.xadds - redisBefore.xadds);
          const split = json.latencyByServerMs;
          samples.push({
            rate: json.messagesPerSecond,
            p50: json.latencyMs.p50,
            p99: json.latencyMs.p99,
            same: split === null ? "-" : `${ms(split.same.p50)} / ${ms(split.same.p99)}`,
            cross: split === null ? "-" : `${ms(split.cross.p50)} / ${ms(split.cross.p99)}`,
            serverUs: (cpuAfter.reduce((a, b) => a + b, 0) - cpuBefore.reduce((a, b) => a + b, 0)) * 1000 / deliveries,
            redisUs: setup.redis ? ((redisAfter.cpuMs - redisBefore.cpuMs) * 1000) / xadds : NaN,
            redisBytes: setup.redis ? (redisAfter.outBytes - redisBefore.outBytes) / xadds : NaN,
            perXadd: setup.redis ? deliveries / xadds : NaN,
            clean: json.verdict.passed,
            faults: json.lost + json.duplicated + json.reordered + json.corrupted,
          });
          process.stderr.write(`  ${setup.name.padEnd(22)} ${Math.round(json.messagesPerSecond)} msg/s, p99 ${ms(json.latencyMs.p99)} ms, ${json.verdict.passed ? "ok" : `FAIL: ${json.verdict.reasons.join("; ")}`}\n`);
        }
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
      const rate = median(samples.map((s) => s.rate));
      if (!setup.redis) baselineRate = rate;
      const clean = samples.every((s) => s.clean);
      failed ||= !clean;
      const last = samples[samples.length - 1]!;
      rows.push([
        setup.name,
        Math.round(rate).toLocaleString("en-US"),
        ratio(rate, baselineRate),
        ms(median(samples.map((s) => s.p50))),
        ms(median(samples.map((s) => s.p99))),
        last.same,
        last.cross,
        median(samples.map((s) => s.serverUs)).toFixed(2),
        setup.redis ? median(samples.map((s) => s.redisUs)).toFixed(1) : "-",
        setup.redis ? Math.round(median(samples.map((s) => s.redisBytes))).toString() : "-",
        setup.redis ? median(samples.map((s) => s.perXadd)).toFixed(0) : "-",
        clean ? String(samples.reduce((n, s) => n + s.faults, 0)) : "FAIL",
      ]);
    }
  } finally {
    await redis.stop();
  }
  console.log(
    table(
      ["setup", "deliveries/s", "vs no Redis", "p50 ms", "p99 ms", "same-server p50/p99", "cross-server p50/p99", "servers µs cpu/delivery", "Redis µs cpu/XADD", "Redis out B/XADD", "deliveries/XADD", "lost/dup/reord"],
      rows,
      [1, 2, 3, 4, 7, 8, 9, 10, 11],
    ),
  );
  console.log(
    "\ndeliveries/s: messages received per second, each message counted once per receiver (99 per send), every one checked (order per sender, one order at every receiver with two servers, content)." +
      "\nservers µs cpu/delivery: the chat servers' (and workers') CPU from /proc over the whole run, per delivery. Redis µs cpu/XADD: redis-server's CPU (INFO) per line appended." +
      "\nRedis out B/XADD: bytes Redis sent per line appended: about one copy of the line per server reading it (plus replies), not one per member: deliveries/XADD is the room's fan-out done by the servers.",
  );
  if (failed) process.exitCode = 1;
}

await main();
