/**
 * bench:chat's tables, as Markdown ready for the README, and its bars:
 * medians over the rounds of bench/results/chat.json's runs.
 */
import type { ContenderKey } from "./chat-contenders.ts";
import type { ChatCase, ChatResults, ChatRun } from "./chat-results.ts";
import { median, table } from "./measure.ts";
import { ms, ratio } from "./processes.ts";

/** The bar of the open loop (issue 13): p99 in ms. */
const OPEN_LOOP_P99_MS = 1;
/** Issue 5's bar: ours over the Node baseline at 100 and 1 000. */
const NODE_FACTOR = 5;

/** Medians of one (case, server) cell. */
export interface Cell {
  rate: number;
  p50Ms: number;
  p99Ms: number;
  usPerDelivery: number;
  rssBytes: number;
  runs: ChatRun[];
}

/** The median cell of `server` in `c`, or null when it did not run. */
export function cellOf(results: ChatResults, c: ChatCase, server: ContenderKey): Cell | null {
  const runs = results.runs.filter((r) => r.case === c.name && r.server === server);
  if (runs.length === 0) return null;
  return {
    rate: median(runs.map((r) => r.loadgen.steady_delivered_per_s)),
    p50Ms: median(runs.map((r) => r.loadgen.lat_us.p50)) / 1000,
    p99Ms: median(runs.map((r) => r.loadgen.lat_us.p99)) / 1000,
    usPerDelivery: median(runs.map((r) => r.usPerDelivery)),
    rssBytes: median(runs.map((r) => r.loadgen.server_rss_kb * 1024)),
    runs,
  };
}

const count = (n: number): string => Math.round(n).toLocaleString("en-US");
const mb = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MB` : "n/a");
const dash = (cell: Cell | null, show: (c: Cell) => string): string => (cell === null ? "n/a" : show(cell));

/** Prints every table; returns the bars missed and the runs that lost or failed. */
export function printReport(results: ChatResults): string[] {
  const failures: string[] = [];
  for (const run of results.runs) {
    if (!run.loadgen.ok) failures.push(`${run.case}, ${run.server}, round ${run.round + 1}: the load generator reported errors or losses`);
  }
  const { freshStart, rooms, openLoop, ladder } = results.cases;
  const hasUvloop = results.servers.some((s) => s.key === "uvloop");
  const measured = results.servers.filter((s) => s.memoryOnly !== true);

  console.log("\n## Rooms, closed loop, warm servers (deliveries/s, higher is better)\n");
  const roomRows = rooms.map((room) => {
    const [ours, uv, node] = (["ours", "uvloop", "node"] as const).map((k) => cellOf(results, room, k));
    const bars: string[] = [];
    if (ours !== null && uv !== null) {
      const met = ours.rate >= uv.rate && ours.p99Ms <= uv.p99Ms;
      bars.push(met ? "met" : "MISSED");
      if (!met) failures.push(`${room.name}: ours ${count(ours.rate)}/s p99 ${ms(ours.p99Ms)} ms vs uvloop ${count(uv.rate)}/s p99 ${ms(uv.p99Ms)} ms (bar: >= its rate, p99 no worse)`);
    } else bars.push("n/a");
    if (room.clients >= 100 && ours !== null && node !== null) {
      const met = ours.rate >= NODE_FACTOR * node.rate;
      bars.push(met ? "met" : "MISSED");
      if (!met) failures.push(`${room.name}: ours ${ratio(ours.rate, node.rate)} the Node baseline (bar: >= ${NODE_FACTOR}x)`);
    } else bars.push("-");
    return [
      String(room.clients),
      String(room.window),
      dash(ours, (c) => count(c.rate)),
      dash(uv, (c) => count(c.rate)),
      dash(node, (c) => count(c.rate)),
      ours && uv ? ratio(ours.rate, uv.rate) : "n/a",
      ours && node ? ratio(ours.rate, node.rate) : "n/a",
      dash(ours, (c) => ms(c.p99Ms)),
      dash(uv, (c) => ms(c.p99Ms)),
      dash(node, (c) => ms(c.p99Ms)),
      ...bars,
    ];
  });
  console.log(
    table(
      ["room", "window", "ours", "uvloop", "Node", "ours/uvloop", "ours/Node", "ours p99 ms", "uvloop p99 ms", "Node p99 ms", "bar vs uvloop", `bar >= ${NODE_FACTOR}x Node`],
      roomRows,
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    ),
  );

  console.log(`\n## A fresh server's first ${freshStart.durationS} s: room of ${freshStart.clients}, measured from the first message (no bar)\n`);
  console.log(
    table(
      ["server", "deliveries/s", "p50 ms", "p99 ms"],
      measured.map((s) => {
        const cell = cellOf(results, freshStart, s.key);
        return [s.title, dash(cell, (c) => count(c.rate)), dash(cell, (c) => ms(c.p50Ms)), dash(cell, (c) => ms(c.p99Ms))];
      }),
      [1, 2, 3],
    ),
  );

  console.log(`\n## Open loop: ${openLoop.clients} clients x ${openLoop.rate} msg/s (latency from each message's scheduled send)\n`);
  const open = (["ours", "uvloop", "node"] as const).map((k) => cellOf(results, openLoop, k));
  const oursOpen = open[0];
  const openMet = oursOpen !== null && oursOpen.p99Ms <= OPEN_LOOP_P99_MS;
  if (!openMet) failures.push(`${openLoop.name}: ours p99 ${oursOpen ? ms(oursOpen.p99Ms) : "n/a"} ms (bar: <= ${OPEN_LOOP_P99_MS} ms)`);
  console.log(
    table(
      ["server", "deliveries/s", "p50 ms", "p99 ms", `bar (p99 <= ${OPEN_LOOP_P99_MS} ms)`],
      measured.map((s, i) => {
        const cell = cellOf(results, openLoop, s.key);
        return [s.title, dash(cell, (c) => count(c.rate)), dash(cell, (c) => ms(c.p50Ms)), dash(cell, (c) => ms(c.p99Ms)), i === 0 ? (openMet ? "met" : "MISSED") : "-"];
      }),
      [1, 2, 3],
    ),
  );

  console.log("\n## Memory (server RSS from /proc)\n");
  const flood = rooms.find((r) => r.clients === 100)!;
  const memoryRows = [
    ["idle, just started", (k: ContenderKey) => mb(median(results.idleRss[k] ?? [NaN]))],
    [`${count(results.crowdSize)} idle connections`, (k: ContenderKey) => mb(results.crowds.find((c) => c.server === k)?.crowdRss ?? NaN)],
    ["per idle connection", (k: ContenderKey) => {
      const row = results.crowds.find((c) => c.server === k);
      return row === undefined ? "n/a" : `${count(row.perConnection)} B`;
    }],
    [`under the ${flood.name} flood`, (k: ContenderKey) => mb(cellOf(results, flood, k)?.rssBytes ?? NaN)],
  ] as const;
  console.log(
    table(
      ["", ...results.servers.map((s) => s.title)],
      memoryRows.map(([name, value]) => [name, ...results.servers.map((s) => value(s.key))]),
      results.servers.map((_, i) => i + 1),
    ),
  );

  console.log("\n## Cost growth: server CPU per delivery (µs) and p99 (ms)\n");
  const growth = [...rooms, ...ladder].sort((a, b) => a.clients + a.idle - (b.clients + b.idle) || a.clients - b.clients);
  console.log(
    table(
      ["load", "connections", ...measured.flatMap((s) => [`${s.title} µs/delivery`, `${s.title} p99 ms`])],
      growth.map((c) => [
        c.name,
        count(c.clients + c.idle),
        ...measured.flatMap((s) => {
          const cell = cellOf(results, c, s.key);
          return [dash(cell, (x) => x.usPerDelivery.toFixed(3)), dash(cell, (x) => ms(x.p99Ms))];
        }),
      ]),
      [1, ...measured.flatMap((_, i) => [2 + 2 * i, 3 + 2 * i])],
    ),
  );
  console.log(
    "\nNotes: deliveries/s counts each message once per receiver (N-1 per send) after the warm-up, every one checked by the load generator." +
      "\nOur server runs with its per-address limits, connect rate and flood bucket lifted and --max-clients 20000 (a benchmark's clients all come from 127.0.0.1 and flood by design); the baselines have no such limits." +
      "\nµs/delivery: the server process's CPU time (user + system, from /proc) over the measured window, per delivery; the connections ladder adds idle connections, 50 to a room, none in the busy one." +
      (hasUvloop ? "" : `\nuvloop: not run here (${results.uvloopMissing}).`),
  );
  return failures;
}
