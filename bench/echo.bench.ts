/**
 * `npm run bench:echo`: our echo server (`boucle echo-server`) against a
 * plain Node callback echo server (bench/baselines/echo-server.ts), with a
 * Python asyncio + uvloop echo server (bench/baselines/echo-uvloop.py) as
 * the reference a user would otherwise pick, measured from outside by the
 * independent C load generator (../shared/loadgen, bench/lib/loadgen.ts).
 *
 * Loads (64-byte lines: 63 bytes + newline): ping-pong at 1, 100 and 1 000
 * connections, and pipelined (16 lines in flight per connection) at 100.
 * Each server runs in its own process pinned to core 0, loadgen pinned to
 * core 1. Every (load, server) pair runs ROUNDS times, the servers' order
 * rotating each round, and the median is reported; loadgen checks every
 * echoed byte. Server CPU per round trip is loadgen's reading of the
 * server's /proc over the measured window only (connects left out).
 *
 * The bars (issue 13), for every loadgen row: round trips/s >= 1.0x the
 * Node baseline's, and server CPU per round trip <= the baseline's. The
 * uvloop row is a reference, not a bar. The process exits 1 when a bar is
 * missed or a run had errors.
 *
 * TLS rows (issue 11, not gated): loadgen speaks no TLS, so these are
 * measured with `boucle loadtest --tls` against the same baseline on Node's
 * `tls.createServer`, with a certificate made for the run.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { environment, median, table } from "./lib/measure.ts";
import { loadgenBinary, runLoadgen, type LoadgenEchoJson } from "./lib/loadgen.ts";
import { alone, ms, pinningNote, ratio, startServerProcess, type ServerProcess } from "./lib/processes.ts";
import { runRounds } from "./lib/rounds.ts";
import { makeCertificate } from "../test/net/tls-certificate.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const WARMUP_S = "0.5";
const DURATION_S = process.env["BENCH_DURATION"] ?? "2";
const BOUCLE = fileURLToPath(new URL("../bin/boucle.js", import.meta.url));
/** Debian's python3 (with python3-uvloop); the one on PATH may be another. */
const PYTHON = process.env["BENCH_PYTHON"] ?? "/usr/bin/python3";

interface Load {
  name: string;
  conns: number;
  /** Lines in flight per connection (1: ping-pong). */
  depth: number;
}

const LOADS: Load[] = [
  { name: "ping-pong, 1 conn", conns: 1, depth: 1 },
  { name: "ping-pong, 100 conns", conns: 100, depth: 1 },
  { name: "ping-pong, 1000 conns", conns: 1000, depth: 1 },
  { name: "pipelined 16, 100 conns", conns: 100, depth: 16 },
];

type Side = "ours" | "node" | "uvloop";

/** One loadgen run, reduced to what the table shows. */
interface Run {
  rtPerS: number;
  p99Ms: number;
  /** Server CPU time per round trip over the measured window, µs. */
  serverUs: number;
  errors: string | null;
}

function reduce(json: LoadgenEchoJson): Run {
  const problems = [
    json.aborted && "aborted",
    json.mismatches > 0 && `${json.mismatches} mismatches`,
    json.connect_errors > 0 && `${json.connect_errors} connect errors`,
    json.connect_timeouts > 0 && `${json.connect_timeouts} connect timeouts`,
    json.resets + json.eof > 0 && `${json.resets + json.eof} connections lost`,
  ].filter((p): p is string => typeof p === "string");
  return {
    rtPerS: json.rtt_per_s,
    p99Ms: json.lat_us.p99 / 1000,
    serverUs: (json.server_cpu_pct / 100) * (1e6 / Math.max(1, json.rtt_per_s)),
    errors: problems.length > 0 || !json.ok ? problems.join(", ") || "not ok" : null,
  };
}

function loadgenArgs(load: Load): string[] {
  return ["-c", String(load.conns), "-p", String(load.depth), "-s", "64", "-w", WARMUP_S, "-d", DURATION_S];
}

/** True when `python` can import uvloop; otherwise why not, printed once. */
function hasUvloop(python: string): boolean {
  const probe = spawnSync(python, ["-c", "import uvloop"], { encoding: "utf8" });
  if (probe.status === 0) return true;
  console.log(`uvloop row skipped: \`${python} -c "import uvloop"\` failed (${probe.error?.message ?? probe.stderr.trim().split("\n").pop()})`);
  return false;
}

async function measurePlain(servers: Partial<Record<Side, ServerProcess>>): Promise<Map<Load, Map<Side, Run[]>>> {
  const sides = Object.keys(servers) as Side[];
  const runs = new Map(LOADS.map((load) => [load, new Map(sides.map((side) => [side, [] as Run[]]))]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const load of LOADS) {
      // Why rotate: drift over the run (CPU frequency, a neighbour's load) hits every server alike.
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
      for (const side of order) {
        const server = servers[side]!;
        const measured = () => runLoadgen("echo", loadgenArgs(load), `127.0.0.1:${server.port}`, server.child.pid);
        const run = reduce(await alone(server, Object.values(servers), measured));
        runs.get(load)!.get(side)!.push(run);
        process.stderr.write(
          `  ${load.name.padEnd(24)} ${side.padEnd(7)} ${Math.round(run.rtPerS)} rt/s, p99 ${ms(run.p99Ms)} ms, ` +
            `server ${run.serverUs.toFixed(2)} µs cpu/rt${run.errors === null ? "" : ` ERRORS: ${run.errors}`}\n`,
        );
      }
    }
  }
  return runs;
}

interface Summary {
  rtPerS: number;
  p99Ms: number;
  serverUs: number;
  errors: string[];
}

function summarize(runs: Run[]): Summary {
  return {
    rtPerS: median(runs.map((r) => r.rtPerS)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    serverUs: median(runs.map((r) => r.serverUs)),
    errors: runs.flatMap((r) => (r.errors === null ? [] : [r.errors])),
  };
}

const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** The gated table; returns the bars missed and the runs with errors. */
function reportPlain(runs: Map<Load, Map<Side, Run[]>>): string[] {
  const failures: string[] = [];
  const withUvloop = [...runs.values()][0]!.has("uvloop");
  const rows = LOADS.map((load) => {
    const ours = summarize(runs.get(load)!.get("ours")!);
    const node = summarize(runs.get(load)!.get("node")!);
    const uv = withUvloop ? summarize(runs.get(load)!.get("uvloop")!) : null;
    const errors = [...ours.errors, ...node.errors, ...(uv?.errors ?? [])];
    const fast = ours.rtPerS >= node.rtPerS;
    const cheap = ours.serverUs <= node.serverUs;
    if (errors.length > 0) failures.push(`${load.name}: ${errors.join("; ")}`);
    if (!fast) failures.push(`${load.name}: ${ratio(ours.rtPerS, node.rtPerS)} the Node baseline's round trips/s (bar 1.00x)`);
    if (!cheap) failures.push(`${load.name}: ${ours.serverUs.toFixed(2)} µs server CPU per round trip, the baseline's ${node.serverUs.toFixed(2)}`);
    return [
      load.name,
      count(ours.rtPerS),
      count(node.rtPerS),
      ratio(ours.rtPerS, node.rtPerS),
      ...(uv === null ? [] : [count(uv.rtPerS), ratio(ours.rtPerS, uv.rtPerS)]),
      ours.serverUs.toFixed(2),
      node.serverUs.toFixed(2),
      ...(uv === null ? [] : [uv.serverUs.toFixed(2)]),
      ms(ours.p99Ms),
      ms(node.p99Ms),
      ...(uv === null ? [] : [ms(uv.p99Ms)]),
      errors.length > 0 ? "FAIL (errors)" : fast && cheap ? "met" : "MISSED",
    ];
  });
  const header = [
    "load (64 B lines)", "ours rt/s", "Node rt/s", "vs Node",
    ...(withUvloop ? ["uvloop rt/s", "vs uvloop"] : []),
    "ours µs/rt", "Node µs/rt", ...(withUvloop ? ["uvloop µs/rt"] : []),
    "ours p99 ms", "Node p99 ms", ...(withUvloop ? ["uvloop p99 ms"] : []),
    "bar (>= 1.0x, µs/rt <= Node)",
  ];
  console.log(table(header, rows, header.slice(1, -1).map((_, i) => i + 1)));
  return failures;
}

/** TLS rows through `boucle loadtest` (loadgen has no TLS); not gated. */
async function measureTls(): Promise<void> {
  const certificate = makeCertificate();
  const tlsFlags = ["--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile];
  const ours = await startServerProcess("boucle echo-server (TLS)", [BOUCLE, "echo-server", "--port", "0", "--quiet", ...tlsFlags]);
  const baseline = await startServerProcess("baseline (tls)", ["--import", "tsx", "bench/baselines/echo-server.ts", "--port", "0", ...tlsFlags]);
  const cases = [
    { name: "TLS ping-pong, 100 conns", pipeline: 1 },
    { name: "TLS pipelined 16, 100 conns", pipeline: 16 },
  ];
  try {
    const samples = await runRounds(
      { ours, baseline },
      {
        cases,
        rounds: ROUNDS,
        nameOf: (c) => c.name,
        unit: "rt/s",
        argsFor: (c, port) => [
          "--mode", "echo", "--port", String(port), "--clients", "100", "--pipeline", String(c.pipeline), "--size", "63",
          "--warmup", WARMUP_S, "--duration", DURATION_S, "--ramp", "2000/s", "--tls", "--ca", certificate.certFile,
        ],
      },
    );
    const rows = cases.map((c) => {
      const { ours: a, baseline: b } = samples.get(c)!;
      const rtA = median(a.map((s) => s.json.messagesPerSecond));
      const rtB = median(b.map((s) => s.json.messagesPerSecond));
      const clean = [...a, ...b].every((s) => s.json.verdict.passed);
      return [
        c.name, count(rtA), count(rtB), ratio(rtA, rtB),
        median(a.map((s) => s.serverUs)).toFixed(2), median(b.map((s) => s.serverUs)).toFixed(2),
        ms(median(a.map((s) => s.json.latencyMs.p99))), ms(median(b.map((s) => s.json.latencyMs.p99))),
        `${median(a.map((s) => s.json.clientCpuPercent))}%`, clean ? "-" : "errors",
      ];
    });
    console.log(
      "\nTLS (`boucle loadtest --tls` as the client, not gated; near 100% client cpu: the client is the limit):\n\n" +
        table(
          ["load (64 B lines)", "ours rt/s", "Node tls rt/s", "ratio", "ours µs/rt", "Node µs/rt", "ours p99 ms", "Node p99 ms", "client cpu", "errors"],
          rows,
          [1, 2, 3, 4, 5, 6, 7, 8],
        ),
    );
  } finally {
    await Promise.all([ours.stop(), baseline.stop()]);
  }
}

async function main(): Promise<void> {
  console.log("# bench:echo: boucle echo server vs plain Node callbacks and Python uvloop, measured by loadgen\n");
  for (const line of [...environment(), pinningNote()]) console.log(`${line}  `);
  if (loadgenBinary() === null) {
    console.log("\nloadgen is not available (see above): the gated rows cannot be measured");
    process.exitCode = 1;
    return;
  }
  const servers: Partial<Record<Side, ServerProcess>> = {};
  try {
    servers.ours = await startServerProcess("boucle echo-server", [BOUCLE, "echo-server", "--port", "0", "--quiet"]);
    servers.node = await startServerProcess("bench/baselines/echo-server.ts", ["--import", "tsx", "bench/baselines/echo-server.ts", "--port", "0"]);
    if (hasUvloop(PYTHON)) {
      servers.uvloop = await startServerProcess("bench/baselines/echo-uvloop.py", ["bench/baselines/echo-uvloop.py", "--port", "0"], 20_000, PYTHON);
    }
    console.log(
      "ours: `boucle echo-server`; Node: bench/baselines/echo-server.ts (`net`, one `socket.write` per `'data'`)" +
        (servers.uvloop ? "; uvloop: bench/baselines/echo-uvloop.py (`asyncio.Protocol` on uvloop, one `transport.write` per chunk)" : ""),
    );
    console.log(`each cell: median of ${ROUNDS} loadgen runs of ${WARMUP_S} s warm-up + ${DURATION_S} s measured\n`);
    const runs = await measurePlain(servers);
    const failures = reportPlain(runs);
    console.log(
      "\nrt/s: round trips per second (echoed lines, every byte checked by loadgen)." +
        "\nµs/rt: the server process's CPU time (user + system, all threads, from /proc over the measured window) per round trip." +
        "\np99: loadgen's round-trip latency, 99th percentile.",
    );
    if (process.env["BENCH_TLS"] !== "0") await measureTls();
    if (failures.length > 0) {
      console.log(`\nbars missed or runs with errors:\n${failures.map((f) => `  ${f}`).join("\n")}`);
      process.exitCode = 1;
    } else {
      console.log("\nall bars met");
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
}

await main();
