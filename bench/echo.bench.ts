/**
 * `npm run bench:echo`: an echo server on boucle's streams against a plain
 * Node callback echo server (bench/baselines/echo-server.ts), same load,
 * one run, side by side.
 *
 * Loads (64-byte lines: 63 bytes + newline): ping-pong at 1, 100 and 1 000
 * connections, and pipelined (16 lines in flight per connection) at 100.
 * Each server runs in its own process pinned to core 0; the load generator
 * (`boucle loadtest --mode echo`, every client a task on our loop) runs in
 * another, pinned to core 1. Every (load, server) pair is run ROUNDS times,
 * interleaved, and the median is reported; every echoed byte is checked.
 *
 * The bar (issue 3): >= 0.8x the baseline's round trips/s at 100 and 1 000
 * connections, with p99 no worse than 1.5x.
 *
 * TLS rows (issue 11): the same loads over TLS, `boucle echo-server
 * --tls-cert --tls-key` against a plain Node `tls` callback echo server
 * (the same baseline on `tls.createServer`), with a certificate made for
 * the run; then our TLS figures against our plain ones (TLS's cost).
 */
import { fileURLToPath } from "node:url";
import { environment, median, table } from "./lib/measure.ts";
import { ms, pinningNote, ratio, startServerProcess } from "./lib/processes.ts";
import { runRounds, type Sample } from "./lib/rounds.ts";
import { makeCertificate } from "../test/net/tls-certificate.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const WARMUP_S = "0.5";
const DURATION_S = process.env["BENCH_DURATION"] ?? "2";
const BOUCLE = fileURLToPath(new URL("../bin/boucle.js", import.meta.url));

interface Load {
  name: string;
  clients: number;
  pipeline: number;
  /** Judged against the bar. */
  gated: boolean;
  tls: boolean;
}

const PLAIN_LOADS: Load[] = [
  { name: "ping-pong, 1 conn", clients: 1, pipeline: 1, gated: false, tls: false },
  { name: "ping-pong, 100 conns", clients: 100, pipeline: 1, gated: true, tls: false },
  { name: "ping-pong, 1000 conns", clients: 1000, pipeline: 1, gated: true, tls: false },
  { name: "pipelined 16, 100 conns", clients: 100, pipeline: 16, gated: false, tls: false },
];
const TLS_LOADS: Load[] = [
  { name: "TLS ping-pong, 100 conns", clients: 100, pipeline: 1, gated: false, tls: true },
  { name: "TLS pipelined 16, 100 conns", clients: 100, pipeline: 16, gated: false, tls: true },
];
const LOADS = [...PLAIN_LOADS, ...TLS_LOADS];
const certificate = makeCertificate();
const TLS_SERVER = ["--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile];

function loadArgs(load: Load, port: number): string[] {
  return [
    "--mode", "echo", "--port", String(port), "--clients", String(load.clients), "--pipeline", String(load.pipeline),
    "--size", "63", "--warmup", WARMUP_S, "--duration", DURATION_S, "--ramp", "2000/s",
    ...(load.tls ? ["--tls", "--ca", certificate.certFile] : []),
  ];
}

async function main(): Promise<void> {
  console.log("# bench:echo: boucle streams echo server vs plain Node callback echo server\n");
  for (const line of [...environment(), pinningNote()]) console.log(line);
  const ours = await startServerProcess("boucle echo-server", [BOUCLE, "echo-server", "--port", "0", "--quiet"]);
  const baseline = await startServerProcess("bench/baselines/echo-server.ts", ["--import", "tsx", "bench/baselines/echo-server.ts", "--port", "0"]);
  const oursTls = await startServerProcess("boucle echo-server (TLS)", [BOUCLE, "echo-server", "--port", "0", "--quiet", ...TLS_SERVER]);
  const baselineTls = await startServerProcess("baseline (tls)", ["--import", "tsx", "bench/baselines/echo-server.ts", "--port", "0", ...TLS_SERVER]);
  console.log(`ours: ${ours.label}; baseline: ${baseline.label}; TLS rows: the same two over TLS (Node's tls.createServer for the baseline)`);
  console.log(`each cell: median of ${ROUNDS} runs of ${WARMUP_S} s warm-up + ${DURATION_S} s measured\n`);
  const samples = new Map<Load, { ours: Sample[]; baseline: Sample[] }>();
  try {
    const options = { rounds: ROUNDS, argsFor: loadArgs, nameOf: (load: Load) => load.name, unit: "rt/s" };
    for (const [load, s] of await runRounds({ ours, baseline }, { ...options, cases: PLAIN_LOADS })) samples.set(load, s);
    for (const [load, s] of await runRounds({ ours: oursTls, baseline: baselineTls }, { ...options, cases: TLS_LOADS })) samples.set(load, s);
  } finally {
    await Promise.all([ours.stop(), baseline.stop(), oursTls.stop(), baselineTls.stop()]);
  }

  const rows: string[][] = [];
  const failures: string[] = [];
  for (const load of LOADS) {
    const { ours: sa, baseline: sb } = samples.get(load)!;
    const a = sa.map((x) => x.json);
    const b = sb.map((x) => x.json);
    const usA = median(sa.map((x) => x.serverUs));
    const usB = median(sb.map((x) => x.serverUs));
    const rtA = median(a.map((j) => j.messagesPerSecond));
    const rtB = median(b.map((j) => j.messagesPerSecond));
    const p99A = median(a.map((j) => j.latencyMs.p99));
    const p99B = median(b.map((j) => j.latencyMs.p99));
    const cpu = median(a.map((j) => j.clientCpuPercent));
    const clean = [...a, ...b].every((j) => j.verdict.passed);
    if (!clean) failures.push(`${load.name}: ${[...a, ...b].flatMap((j) => j.verdict.reasons).join("; ")}`);
    const met = rtA >= 0.8 * rtB && p99A <= 1.5 * p99B;
    rows.push([
      load.name,
      Math.round(rtA).toLocaleString("en-US"),
      Math.round(rtB).toLocaleString("en-US"),
      ratio(rtA, rtB),
      ms(p99A),
      ms(p99B),
      ratio(p99A, p99B),
      usA.toFixed(2),
      usB.toFixed(2),
      `${cpu}%`,
      !clean ? "FAIL (errors)" : load.gated ? (met ? "met" : "MISSED") : "-",
    ]);
  }
  console.log(
    table(
      ["load (64 B lines)", "ours rt/s", "baseline rt/s", "ratio", "ours p99 ms", "baseline p99 ms", "p99 ratio", "ours server µs/rt", "baseline server µs/rt", "client cpu", "bar (>=0.8x, p99 <=1.5x)"],
      rows,
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    ),
  );
  console.log(
    "\nrt/s: round trips per second (echoed lines received, all checked byte for byte)." +
      "\nserver µs/rt: the server process's CPU time (user + system, from /proc) over the run, per round trip: its cost per message, meaningful even when the client is the limit." +
      "\nclient cpu: the load generator's, in % of one core, in our server's runs (near 100%: the client, not the server, is the limit).",
  );
  const oursRate = (load: Load): number => median(samples.get(load)!.ours.map((x) => x.json.messagesPerSecond));
  console.log("\nTLS's cost, ours (TLS rt/s / plain rt/s, same load):");
  for (const load of TLS_LOADS) {
    const plain = PLAIN_LOADS.find((p) => p.clients === load.clients && p.pipeline === load.pipeline)!;
    console.log(`  ${load.name}: ${ratio(oursRate(load), oursRate(plain))}`);
  }
  if (failures.length > 0) {
    console.log(`\nruns with errors or losses:\n${failures.map((f) => `  ${f}`).join("\n")}`);
    process.exitCode = 1;
  }
}

await main();
