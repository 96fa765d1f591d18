/**
 * `npm run bench:chat`: delivered messages per second and p99 latency for
 * rooms of 10, 100 and 1 000 clients, against our chat server
 * (`boucle chat-server`) and a plain Node callback chat server speaking the
 * same protocol (bench/baselines/chat-server.ts), side by side, one run.
 *
 * Each room: every client sends as fast as its window allows (closed loop:
 * at most W of its messages not yet delivered to every other member; W is
 * the same for both servers), after a warm-up; every delivery is checked
 * (per-sender sequence, every byte), so "nothing lost" is verified, not
 * assumed. Servers run pinned to core 0, the load generator (`boucle
 * loadtest --mode chat`) to core 1, each in its own process.
 *
 * The bar (issue 5): >= 5x the baseline's delivered messages/s at 100 and
 * 1 000 clients, with nothing lost.
 *
 * TLS rows (issue 11): rooms of 10 and 100 over TLS, `boucle chat-server
 * --tls-cert --tls-key --no-plain` against the same baseline on Node's
 * `tls.createServer`, with a certificate made for the run; then our TLS
 * figures against our plain ones (TLS's cost).
 */
import { fileURLToPath } from "node:url";
import { environment, median, table } from "./lib/measure.ts";
import { ms, pinningNote, ratio, startServerProcess } from "./lib/processes.ts";
import { runRounds, type Sample } from "./lib/rounds.ts";
import { makeCertificate } from "../test/net/tls-certificate.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 2);
const WARMUP_S = "1";
const DURATION_S = process.env["BENCH_DURATION"] ?? "3";
const BOUCLE = fileURLToPath(new URL("../bin/boucle.js", import.meta.url));

interface Room {
  clients: number;
  /** Messages each sender may have in flight: about 1 000 messages queued per receiver at most. */
  window: number;
  gated: boolean;
  tls: boolean;
}

const PLAIN_ROOMS: Room[] = [
  { clients: 10, window: 64, gated: false, tls: false },
  { clients: 100, window: 8, gated: true, tls: false },
  { clients: 1000, window: 1, gated: true, tls: false },
];
const TLS_ROOMS: Room[] = [
  { clients: 10, window: 64, gated: false, tls: true },
  { clients: 100, window: 8, gated: false, tls: true },
];
const ROOMS = [...PLAIN_ROOMS, ...TLS_ROOMS];
const certificate = makeCertificate();
const TLS_SERVER = ["--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile];
const nameOf = (room: Room): string => `${room.tls ? "TLS " : ""}room of ${room.clients}`;

function loadArgs(room: Room, port: number): string[] {
  return [
    "--mode", "chat", "--port", String(port), "--clients", String(room.clients), "--pipeline", String(room.window),
    "--size", "64", "--warmup", WARMUP_S, "--duration", DURATION_S, "--ramp", "2000/s", "--drain-timeout", "10",
    ...(room.tls ? ["--tls", "--ca", certificate.certFile] : []),
  ];
}

async function main(): Promise<void> {
  console.log("# bench:chat: boucle chat server vs plain Node callback chat server\n");
  for (const line of [...environment(), pinningNote()]) console.log(line);
  const ours = await startServerProcess("boucle chat-server", [BOUCLE, "chat-server", "--port", "0", "--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit"]);
  const baseline = await startServerProcess("bench/baselines/chat-server.ts", ["--import", "tsx", "bench/baselines/chat-server.ts", "--port", "0"]);
  const oursTls = await startServerProcess("boucle chat-server (TLS)", [BOUCLE, "chat-server", "--quiet", "--max-per-ip", "0", "--connect-rate", "0", "--no-flood-limit", "--no-plain", "--tls-port", "0", ...TLS_SERVER]);
  const baselineTls = await startServerProcess("baseline (tls)", ["--import", "tsx", "bench/baselines/chat-server.ts", "--port", "0", ...TLS_SERVER]);
  console.log(`ours: ${ours.label}; baseline: ${baseline.label}; TLS rows: the same two over TLS (Node's tls.createServer for the baseline)`);
  console.log(`each cell: median of ${ROUNDS} runs of ${WARMUP_S} s warm-up + ${DURATION_S} s of sending (then the drain), 64-byte bodies\n`);
  const samples = new Map<Room, { ours: Sample[]; baseline: Sample[] }>();
  try {
    const options = { rounds: ROUNDS, argsFor: loadArgs, nameOf, unit: "msg/s", timeoutMs: 180_000 };
    for (const [room, s] of await runRounds({ ours, baseline }, { ...options, cases: PLAIN_ROOMS })) samples.set(room, s);
    for (const [room, s] of await runRounds({ ours: oursTls, baseline: baselineTls }, { ...options, cases: TLS_ROOMS })) samples.set(room, s);
  } finally {
    await Promise.all([ours.stop(), baseline.stop(), oursTls.stop(), baselineTls.stop()]);
  }

  const rows: string[][] = [];
  const failures: string[] = [];
  for (const room of ROOMS) {
    const { ours: sa, baseline: sb } = samples.get(room)!;
    const a = sa.map((x) => x.json);
    const b = sb.map((x) => x.json);
    const rateA = median(a.map((j) => j.messagesPerSecond));
    const rateB = median(b.map((j) => j.messagesPerSecond));
    const lost = [...a, ...b].reduce((n, j) => n + j.lost + j.duplicated + j.reordered + j.corrupted, 0);
    const clean = [...a, ...b].every((j) => j.verdict.passed);
    if (!clean) failures.push(`${nameOf(room)}: ${[...a, ...b].flatMap((j) => j.verdict.reasons).join("; ")}`);
    rows.push([
      `${room.tls ? "TLS " : ""}${room.clients}`,
      String(room.window),
      Math.round(rateA).toLocaleString("en-US"),
      Math.round(rateB).toLocaleString("en-US"),
      ratio(rateA, rateB),
      ms(median(a.map((j) => j.latencyMs.p99))),
      ms(median(b.map((j) => j.latencyMs.p99))),
      median(sa.map((x) => x.serverUs)).toFixed(2),
      median(sb.map((x) => x.serverUs)).toFixed(2),
      `${median(a.map((j) => j.clientCpuPercent))}%`,
      String(lost),
      !clean ? "FAIL (errors)" : room.gated ? (rateA >= 5 * rateB ? "met" : "MISSED") : "-",
    ]);
  }
  console.log(
    table(
      ["room", "window", "ours msg/s", "baseline msg/s", "ratio", "ours p99 ms", "baseline p99 ms", "ours server µs/msg", "baseline server µs/msg", "client cpu (ours)", "lost/dup/reord", "bar (>=5x)"],
      rows,
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    ),
  );
  console.log(
    "\nmsg/s: messages delivered per second (each message counts once per receiver, N-1 per send), all checked for order and content." +
      "\nserver µs/msg: the server process's CPU time (from /proc) over the whole run per delivery; it includes the setup (joins and nick changes: O(N^2) notices, which weigh most in the room of 1000)." +
      "\nclient cpu: the load generator's, in % of one core, in our server's runs (near 100%: the client, not the server, is the limit).",
  );
  const oursRate = (room: Room): number => median(samples.get(room)!.ours.map((x) => x.json.messagesPerSecond));
  console.log("\nTLS's cost, ours (TLS msg/s / plain msg/s, same room):");
  for (const room of TLS_ROOMS) {
    const plain = PLAIN_ROOMS.find((p) => p.clients === room.clients)!;
    console.log(`  ${nameOf(room)}: ${ratio(oursRate(room), oursRate(plain))}`);
  }
  if (failures.length > 0) {
    console.log(`\nruns with errors or losses:\n${failures.map((f) => `  ${f}`).join("\n")}`);
    process.exitCode = 1;
  }
}

await main();
