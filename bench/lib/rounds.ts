/**
 * The measuring loop shared by bench:echo and bench:chat: every case is run
 * `rounds` times against our server and the baseline, interleaved (the
 * order of the two alternates each round), each alone on its core (the
 * other stopped meanwhile), with each server's CPU per received message
 * read from /proc around the run.
 */
import type { LoadtestJson } from "../../src/apps/loadtest/report.ts";
import { alone, ms, processCpuMs, runLoadtest, type ServerProcess } from "./processes.ts";

export interface Sample {
  json: LoadtestJson;
  /** The server's CPU time per received message (round trip or delivery), in µs. */
  serverUs: number;
}

export interface Servers {
  ours: ServerProcess;
  baseline: ServerProcess;
}

export interface RoundsOptions<C> {
  cases: readonly C[];
  rounds: number;
  /** `boucle loadtest` arguments for case `c` against `port`. */
  argsFor: (c: C, port: number) => string[];
  /** The case's name in the progress lines. */
  nameOf: (c: C) => string;
  /** The unit of `messagesPerSecond` in the progress lines, e.g. "rt/s". */
  unit: string;
  timeoutMs?: number;
}

/** Samples per case, ours and the baseline's. Progress goes to stderr. */
export async function runRounds<C>(servers: Servers, options: RoundsOptions<C>): Promise<Map<C, { ours: Sample[]; baseline: Sample[] }>> {
  const samples = new Map(options.cases.map((c) => [c, { ours: [] as Sample[], baseline: [] as Sample[] }]));
  for (let round = 0; round < options.rounds; round++) {
    for (const c of options.cases) {
      for (const side of round % 2 === 0 ? (["ours", "baseline"] as const) : (["baseline", "ours"] as const)) {
        const server = servers[side];
        const cpuBefore = processCpuMs(server.child.pid);
        const json = await alone(server, [servers.ours, servers.baseline], () => runLoadtest(options.argsFor(c, server.port), options.timeoutMs));
        const serverUs = ((processCpuMs(server.child.pid) - cpuBefore) * 1000) / Math.max(1, json.received);
        samples.get(c)![side].push({ json, serverUs });
        const verdict = json.verdict.passed ? "" : ` FAIL: ${json.verdict.reasons.join("; ")}`;
        process.stderr.write(
          `  ${options.nameOf(c).padEnd(24)} ${side.padEnd(8)} ${Math.round(json.messagesPerSecond)} ${options.unit}, p99 ${ms(json.latencyMs.p99)} ms, ` +
            `server ${serverUs.toFixed(2)} µs cpu/msg, client cpu ${json.clientCpuPercent}%, lost ${json.lost}${verdict}\n`,
        );
      }
    }
  }
  return samples;
}
