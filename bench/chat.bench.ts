/**
 * `npm run bench:chat`: our chat server against a Python asyncio + uvloop
 * chat server and a plain Node callback chat server (bench/baselines/),
 * all speaking the same protocol, measured from outside by the independent
 * C load generator (../shared/loadgen), in one run, side by side.
 *
 * - Rooms of 10, 100 and 1 000 clients, closed loop: each client keeps at
 *   most `window` of its messages not yet received by the next client;
 *   every delivery is checked (lost, duplicated, reordered, malformed).
 * - Open loop: 100 clients each sending 5 messages a second.
 * - Memory: each server's RSS idle, with 10 000 idle connections (bytes
 *   per connection) and under the room-of-100 flood.
 * - Cost growth: server CPU per delivery and p99 as the room grows (10,
 *   100, 1 000) and as the connections grow (a room of 100 talking among
 *   100, 1 000 and 10 000 connections).
 *
 * - A fresh server's first seconds: each round starts with the room of 10
 *   on the just-started servers, measured from the first message. Why
 *   first, and apart: V8 is still compiling our hot paths then (and
 *   deoptimizing the rare ones, such as a timer's expiry, on first use),
 *   on the server's one core; the rooms after it measure a warm server, as
 *   a long-running one is. uvloop has nothing to compile.
 *
 * Every server runs in its own process pinned to core 0, the load
 * generator on core 1; each round starts the servers afresh and alternates
 * their order; cells are medians over the rounds (BENCH_ROUNDS, default 2;
 * BENCH_DURATION seconds of sending per run, default 3). The idle crowd
 * phase runs once, on fresh servers. Everything measured is written to
 * bench/results/chat.json (BENCH_JSON), from which `npm run bench:chat:plot`
 * draws docs/chat-cost.svg.
 *
 * Bars (issue 13): ours >= uvloop in deliveries/s at 10, 100 and 1 000
 * with p99 no worse; the open loop's p99 <= 1 ms; nothing lost anywhere.
 * (Issue 5's >= 5x the Node baseline at 100 and 1 000 stays.) The exit
 * status is 1 when one is missed.
 *
 * TLS rows (issue 11): rooms of 10 and 100 over TLS against the Node
 * baseline on `tls.createServer`, with `boucle loadtest` (the C generator
 * speaks no TLS), BENCH_TLS_ROUNDS rounds (default 1); see
 * bench/lib/chat-tls-rows.ts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { contenders, uvloopMissing, OURS_BENCH_FLAGS, type Contender, type ContenderKey } from "./lib/chat-contenders.ts";
import { printReport } from "./lib/chat-report.ts";
import type { ChatCase, ChatResults, ChatRun, MemoryRow } from "./lib/chat-results.ts";
import { runTlsRows } from "./lib/chat-tls-rows.ts";
import { IdleCrowd } from "./lib/idle-crowd.ts";
import { loadgenBinary, runLoadgen } from "./lib/loadgen.ts";
import { environment } from "./lib/measure.ts";
import { alone, ms, pinningNote, processRssBytes, ROOT, type ServerProcess } from "./lib/processes.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 2);
/** The TLS rows' rounds: one by default, to keep the whole bench under five minutes. */
const TLS_ROUNDS = Number(process.env["BENCH_TLS_ROUNDS"] ?? 1);
const DURATION_S = process.env["BENCH_DURATION"] ?? "3";
const WARMUP_S = "1";
const RESULTS = process.env["BENCH_JSON"] ?? path.join(ROOT, "bench/results/chat.json");
/** Idle connections of the memory row; the ladder's top is this many in all. */
const CROWD = 10_000;
/** Time for a server's RSS to settle after a change (joins, leaves) before it is read. */
const SETTLE_MS = 500;

/** Measured from the first message of a fresh server, and what warms it for the rooms. */
const FRESH_START: ChatCase = { name: "fresh server, first 5 s, room of 10", clients: 10, window: 64, rate: 0, idle: 0, warmupS: 0, durationS: 5 };
const ROOMS: ChatCase[] = [
  { name: "room of 10", clients: 10, window: 64, rate: 0, idle: 0 },
  { name: "room of 100", clients: 100, window: 8, rate: 0, idle: 0 },
  { name: "room of 1000", clients: 1000, window: 1, rate: 0, idle: 0 },
];
/** The flood of the memory rows. */
const FLOOD = ROOMS[1]!;
const OPEN_LOOP: ChatCase = { name: "open loop, 100 x 5 msg/s", clients: 100, window: 0, rate: 5, idle: 0 };
const LADDER: ChatCase[] = [
  { name: "room of 100 among 1 000", clients: 100, window: 8, rate: 0, idle: 900 },
  { name: "room of 100 among 10 000", clients: 100, window: 8, rate: 0, idle: CROWD - 100 },
];

function loadgenArgs(c: ChatCase): string[] {
  const pace = c.rate > 0 ? ["-r", String(c.rate)] : ["-p", String(c.window)];
  const warmup = c.warmupS === undefined ? WARMUP_S : String(c.warmupS);
  const duration = c.durationS === undefined ? DURATION_S : String(c.durationS);
  return ["-c", String(c.clients), ...pace, "-s", "64", "-w", warmup, "-d", duration];
}

async function measure(c: ChatCase, contender: Contender, server: ServerProcess, round: number): Promise<ChatRun> {
  const lg = await runLoadgen("chat", loadgenArgs(c), `127.0.0.1:${server.port}`, server.child.pid);
  const usPerDelivery = lg.server_cpu_pct >= 0 && lg.received > 0 ? (lg.server_cpu_pct / 100) * lg.elapsed_s * 1e6 / lg.received : NaN;
  const flaw = lg.ok ? "" : ` FAIL: lost ${lg.lost}, dup ${lg.duplicated}, reord ${lg.reordered}, malformed ${lg.malformed}, connect errors ${lg.connect_errors}, resets ${lg.resets}${lg.aborted ? ", aborted" : ""}`;
  process.stderr.write(
    `  ${c.name.padEnd(26)} ${contender.key.padEnd(6)} ${Math.round(lg.steady_delivered_per_s).toLocaleString("en-US").padStart(10)} deliveries/s, ` +
      `p50 ${ms(lg.lat_us.p50 / 1000)} p99 ${ms(lg.lat_us.p99 / 1000)} ms, server ${usPerDelivery.toFixed(3)} µs/delivery, rss ${Math.round(lg.server_rss_kb / 1024)} MB${flaw}\n`,
  );
  return { case: c.name, server: contender.key, round, usPerDelivery, loadgen: lg };
}

/** Each round: fresh servers, idle RSS, their first seconds, then every case against each server (alone on its core), their order alternating. */
async function runRounds(all: Contender[], runs: ChatRun[], idleRss: Map<ContenderKey, number[]>): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const servers = await Promise.all(all.map((c) => c.start()));
    try {
      await sleep(SETTLE_MS);
      all.forEach((c, i) => idleRss.get(c.key)!.push(processRssBytes(servers[i]!.child.pid)));
      const order = all.map((c, i) => [c, servers[i]!] as const);
      if (round % 2 === 1) order.reverse();
      for (const [contender, server] of order) runs.push(await alone(server, servers, () => measure(FRESH_START, contender, server, round)));
      for (const c of [...ROOMS, OPEN_LOOP]) {
        for (const [contender, server] of order) {
          if (contender.memoryOnly !== true || c === FLOOD) runs.push(await alone(server, servers, () => measure(c, contender, server, round)));
        }
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
}

/**
 * Once per server, started afresh: RSS idle, then with CROWD idle
 * connections, then (but for memory-only contenders) the room of 100
 * talking among all of them, and among 1 000 after most have left.
 */
async function runCrowd(contender: Contender, runs: ChatRun[]): Promise<MemoryRow> {
  const server = await contender.start();
  const crowd = new IdleCrowd("127.0.0.1", server.port);
  try {
    await sleep(SETTLE_MS);
    const idleRss = processRssBytes(server.child.pid);
    const started = performance.now();
    await crowd.grow(CROWD);
    const openS = (performance.now() - started) / 1000;
    await sleep(SETTLE_MS);
    const crowdRss = processRssBytes(server.child.pid);
    process.stderr.write(`  ${contender.key}: ${CROWD} idle connections in ${openS.toFixed(1)} s, RSS ${Math.round(idleRss / 2 ** 20)} -> ${Math.round(crowdRss / 2 ** 20)} MB\n`);
    for (const step of contender.memoryOnly === true ? [] : [...LADDER].reverse()) {
      crowd.shrink(crowd.size - step.idle);
      await sleep(SETTLE_MS);
      runs.push(await measure(step, contender, server, 0));
    }
    return { server: contender.key, idleRss, crowdRss, perConnection: (crowdRss - idleRss) / CROWD };
  } finally {
    crowd.shrink();
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log("# bench:chat: boucle chat server vs Python asyncio + uvloop vs plain Node callbacks, measured by ../shared/loadgen\n");
  const env = [...environment(), pinningNote()];
  for (const line of env) console.log(line);
  if (loadgenBinary() === null) {
    console.log("the C load generator is missing (see above): nothing to measure with");
    process.exitCode = 2;
    return;
  }
  const all = contenders();
  const missing = uvloopMissing();
  if (missing !== null) console.log(`uvloop reference: skipped (${missing}); its bars are not judged`);
  console.log(`our flags: --quiet ${OURS_BENCH_FLAGS.join(" ")} (limits a real deployment keeps; see the notes)`);
  console.log(`each cell: median of ${ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s of sending (then the drain), 64-byte lines\n`);

  const runs: ChatRun[] = [];
  const idleRss = new Map(all.map((c) => [c.key, [] as number[]]));
  await runRounds(all, runs, idleRss);
  const crowds = [];
  for (const contender of all) crowds.push(await runCrowd(contender, runs));
  const results: ChatResults = {
    environment: env,
    rounds: ROUNDS,
    durationS: Number(DURATION_S),
    servers: all.map((c) => ({ key: c.key, title: c.title, memoryOnly: c.memoryOnly })),
    uvloopMissing: missing,
    cases: { freshStart: FRESH_START, rooms: ROOMS, openLoop: OPEN_LOOP, ladder: LADDER },
    idleRss: Object.fromEntries(idleRss),
    crowdSize: CROWD,
    crowds,
    runs,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 1)}\n`);

  const failures = printReport(results);
  console.log(`\n(all runs: ${path.relative(process.cwd(), RESULTS)}; plot: npm run bench:chat:plot)`);
  failures.push(...(await runTlsRows(TLS_ROUNDS, WARMUP_S, DURATION_S)));
  if (failures.length > 0) {
    console.log(`\nbars missed or runs with errors:\n${failures.map((f) => `  ${f}`).join("\n")}`);
    process.exitCode = 1;
  }
}

await main();
