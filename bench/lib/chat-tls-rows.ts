/**
 * bench:chat's TLS rows (issue 11): rooms of 10 and 100 over TLS, `boucle
 * chat-server --tls-cert --tls-key --no-plain` against the Node callback
 * baseline on `tls.createServer`, with a certificate made for the run and
 * `boucle loadtest --tls` as the client (the C load generator speaks no
 * TLS); then our TLS figures against our plain ones, same load generator,
 * same run (TLS's cost).
 */
import { fileURLToPath } from "node:url";
import { makeCertificate } from "../../test/net/tls-certificate.ts";
import { OURS_BENCH_FLAGS } from "./chat-contenders.ts";
import { compiledBaseline } from "./compiled-baseline.ts";
import { median, table } from "./measure.ts";
import { ms, ratio, startServerProcess } from "./processes.ts";
import { runRounds, type Sample } from "./rounds.ts";

const BOUCLE = fileURLToPath(new URL("../../bin/boucle.js", import.meta.url));

interface TlsRoom {
  clients: number;
  /** Messages each sender may have in flight. */
  window: number;
  tls: boolean;
}

const ROOMS: TlsRoom[] = [10, 100].flatMap((clients) => {
  const window = clients === 10 ? 64 : 8;
  return [{ clients, window, tls: true }, { clients, window, tls: false }];
});

/** Runs the rows, prints their table; returns what failed (runs with losses or errors). */
export async function runTlsRows(rounds: number, warmupS: string, durationS: string): Promise<string[]> {
  const certificate = makeCertificate();
  const tlsFlags = ["--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile];
  const nameOf = (room: TlsRoom): string => `${room.tls ? "TLS" : "plain"} room of ${room.clients}`;
  const argsFor = (room: TlsRoom, port: number): string[] => [
    "--mode", "chat", "--port", String(port), "--clients", String(room.clients), "--pipeline", String(room.window),
    "--size", "64", "--warmup", warmupS, "--duration", durationS, "--ramp", "2000/s", "--drain-timeout", "10",
    ...(room.tls ? ["--tls", "--ca", certificate.certFile] : []),
  ];
  console.log("\n## TLS rows (boucle loadtest as the client: the C load generator speaks no TLS)\n");
  const options = { rounds, argsFor, nameOf, unit: "msg/s", timeoutMs: 180_000 };
  const samples = new Map<TlsRoom, { ours: Sample[]; baseline: Sample[] }>();
  for (const tls of [true, false]) {
    const cases = ROOMS.filter((room) => room.tls === tls);
    const ours = await startServerProcess("boucle chat-server", [BOUCLE, "chat-server", "--quiet", ...OURS_BENCH_FLAGS, ...(tls ? ["--no-plain", "--tls-port", "0", ...tlsFlags] : ["--port", "0"])]);
    const baseline = await startServerProcess("baseline", [compiledBaseline("chat-server.ts"), "--port", "0", ...(tls ? tlsFlags : [])]);
    try {
      for (const [room, s] of await runRounds({ ours, baseline }, { ...options, cases })) samples.set(room, s);
    } finally {
      await Promise.all([ours.stop(), baseline.stop()]);
    }
  }
  const failures: string[] = [];
  const rows = ROOMS.filter((room) => room.tls).map((room) => {
    const { ours: sa, baseline: sb } = samples.get(room)!;
    const a = sa.map((x) => x.json);
    const b = sb.map((x) => x.json);
    const plain = samples.get(ROOMS.find((p) => !p.tls && p.clients === room.clients)!)!.ours.map((x) => x.json);
    const clean = [...a, ...b, ...plain].every((j) => j.verdict.passed);
    if (!clean) failures.push(`${nameOf(room)}: ${[...a, ...b, ...plain].flatMap((j) => j.verdict.reasons).join("; ")}`);
    const rate = (js: typeof a): number => median(js.map((j) => j.messagesPerSecond));
    return [
      String(room.clients),
      String(room.window),
      Math.round(rate(a)).toLocaleString("en-US"),
      Math.round(rate(b)).toLocaleString("en-US"),
      ratio(rate(a), rate(b)),
      ms(median(a.map((j) => j.latencyMs.p99))),
      ms(median(b.map((j) => j.latencyMs.p99))),
      median(sa.map((x) => x.serverUs)).toFixed(2),
      median(sb.map((x) => x.serverUs)).toFixed(2),
      ratio(rate(a), rate(plain)),
      clean ? "0" : "FAIL",
    ];
  });
  console.log(
    table(
      ["TLS room", "window", "ours msg/s", "Node TLS msg/s", "ratio", "ours p99 ms", "Node TLS p99 ms", "ours µs/msg", "Node TLS µs/msg", "ours TLS / ours plain", "lost/dup/reord"],
      rows,
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    ),
  );
  return failures;
}
