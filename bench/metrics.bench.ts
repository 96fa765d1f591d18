/**
 * `npm run bench:metrics`: what the metrics endpoint costs the chat.
 *
 * Two fresh chat servers, pinned to core 0: one as it runs by default, one
 * with `--metrics-port` scraped every SCRAPE_EVERY_MS by this process (ten
 * times a busy Prometheus' rate, so the cost of rendering is in the
 * figures, not only that of counting). `boucle loadtest`, pinned to core 1,
 * runs the same room against each in turn, ROUNDS times, interleaved (the
 * order alternates each round). What is compared is the server's CPU per
 * delivered line, read from /proc around each run, and the deliveries per
 * second (the load is open loop: the same offered rate, which both must
 * keep up with); medians. The bar: with metrics on and scraped, the CPU
 * per delivery is at most MAX_CPU_RATIO times the default's, and every
 * run delivered everything; exit 1 otherwise.
 *
 * (The chat's counters are plain number fields, incremented whether or not
 * the endpoint is on; what this measures is the endpoint and its scrapes.)
 *
 * Everything on 127.0.0.1; every run is bounded; about a minute in all.
 */
import { createServer, type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { runRounds, type Sample } from "./lib/rounds.ts";
import { environment, median, table } from "./lib/measure.ts";
import { pinningNote, ratio, startServerProcess, type ServerProcess } from "./lib/processes.ts";

const BOUCLE = fileURLToPath(new URL("../bin/boucle.js", import.meta.url));
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const CLIENTS = 50;
const RATE = 40;
const DURATION_S = 3;
const SCRAPE_EVERY_MS = 100;
/** Why 5%: the endpoint's share should be within run-to-run noise on a quiet machine. */
const MAX_CPU_RATIO = 1.05;

const SERVER_FLAGS = ["chat-server", "--port", "0", "--quiet", "--no-flood-limit", "--max-per-ip", "0", "--connect-rate", "0"];

/** Fetch /metrics every SCRAPE_EVERY_MS until stopped; counts the scrapes and their bytes. */
function startScraper(port: number): { stop(): Promise<{ scrapes: number; bytes: number }> } {
  let running = true;
  let scrapes = 0;
  let bytes = 0;
  const loop = (async () => {
    while (running) {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      scrapes++;
      bytes += body.length;
      await new Promise((resolve) => setTimeout(resolve, SCRAPE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { scrapes, bytes };
    },
  };
}

async function main(): Promise<number> {
  const metricsPort = await freePort();
  const plain = await startServerProcess("default", [BOUCLE, ...SERVER_FLAGS]);
  const observed = await startServerProcess("metrics", [BOUCLE, ...SERVER_FLAGS, "--metrics-port", String(metricsPort)]);
  const servers: ServerProcess[] = [plain, observed];
  try {
    const scraper = startScraper(metricsPort);
    const samples = await runRounds(
      { ours: observed, baseline: plain },
      {
        cases: ["room"] as const,
        rounds: ROUNDS,
        argsFor: (_c, port) => ["--port", String(port), "-c", String(CLIENTS), "--rate", String(RATE), "--duration", String(DURATION_S), "--room", "#bench"],
        nameOf: () => `room of ${CLIENTS}, ${RATE}/s each`,
        unit: "deliveries/s",
      },
    );
    const { scrapes, bytes } = await scraper.stop();
    const { ours, baseline } = samples.get("room")!;
    return report(ours, baseline, scrapes, bytes);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** A port free now on 127.0.0.1, for the metrics endpoint (startServerProcess reads only the chat's). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function report(ours: Sample[], baseline: Sample[], scrapes: number, bytes: number): number {
  const cpu = (s: Sample[]): number => median(s.map((x) => x.serverUs));
  const rate = (s: Sample[]): number => median(s.map((x) => x.json.messagesPerSecond));
  const allPassed = [...ours, ...baseline].every((s) => s.json.verdict.passed);
  const cpuRatio = cpu(ours) / cpu(baseline);
  console.log("# bench:metrics: the chat server with --metrics-port scraped every 100 ms, against the default\n");
  for (const line of [...environment(), pinningNote()]) console.log(line);
  console.log(`each row: median of ${ROUNDS} interleaved runs, ${CLIENTS} clients in one room sending ${RATE} lines/s each for ${DURATION_S} s; ${scrapes} scrapes of ${Math.round(bytes / Math.max(1, scrapes))} bytes\n`);
  console.log(
    table(
      ["server", "deliveries/s", "server CPU µs per delivery", "vs default"],
      [
        ["default (no endpoint)", Math.round(rate(baseline)).toString(), cpu(baseline).toFixed(3), "1.00x"],
        ["--metrics-port, scraped", Math.round(rate(ours)).toString(), cpu(ours).toFixed(3), ratio(cpu(ours), cpu(baseline))],
      ],
      [1, 2, 3],
    ),
  );
  const misses: string[] = [];
  if (!allPassed) misses.push("a loadtest run failed its checks");
  if (cpuRatio > MAX_CPU_RATIO) misses.push(`CPU per delivery ${cpuRatio.toFixed(3)}x the default's (bar: <= ${MAX_CPU_RATIO}x)`);
  console.log(misses.length === 0 ? `\nbar met: CPU per delivery ${cpuRatio.toFixed(3)}x the default's (<= ${MAX_CPU_RATIO}x), nothing lost` : `\nBAR MISSED: ${misses.join("; ")}`);
  return misses.length === 0 ? 0 : 1;
}

process.exitCode = await main();
