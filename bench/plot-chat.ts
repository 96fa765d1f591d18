/**
 * `npm run bench:chat:plot`: docs/chat-cost.svg from bench/results/chat.json
 * (written by `npm run bench:chat`): server CPU per delivery and p99 for
 * each server, as the room grows (10, 100, 1 000 clients) and as the
 * connections grow (a room of 100 among 100, 1 000 and 10 000), on log
 * scales. A plain SVG written by hand: no plotting dependency for four
 * small charts.
 *
 * Usage: node --import tsx bench/plot-chat.ts [results.json] [out.svg]
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ContenderKey } from "./lib/chat-contenders.ts";
import { cellOf } from "./lib/chat-report.ts";
import type { ChatCase, ChatResults } from "./lib/chat-results.ts";
import { ROOT } from "./lib/processes.ts";

const [input = path.join(ROOT, "bench/results/chat.json"), output = path.join(ROOT, "docs/chat-cost.svg")] = process.argv.slice(2);
const results = JSON.parse(readFileSync(input, "utf8")) as ChatResults;

const COLORS: Record<ContenderKey, string> = { ours: "#d62728", "ours-small-heap": "#ff9896", uvloop: "#1f77b4", node: "#7f7f7f" };
const plotted = results.servers.filter((s) => s.memoryOnly !== true);
const PANEL_W = 380;
const PANEL_H = 220;
const MARGIN = { left: 60, right: 20, top: 34, bottom: 44 };

interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  /** The cases along x, with their x value. */
  points: { c: ChatCase; x: number }[];
  y: (cell: NonNullable<ReturnType<typeof cellOf>>) => number;
}

const { rooms, ladder } = results.cases;
const room100 = rooms.find((r) => r.clients === 100)!;
const byRoom = rooms.map((c) => ({ c, x: c.clients }));
const byConnections = [room100, ...ladder].map((c) => ({ c, x: c.clients + c.idle }));
const cpu = (cell: { usPerDelivery: number }): number => cell.usPerDelivery;
const p99 = (cell: { p99Ms: number }): number => cell.p99Ms;
const PANELS: Panel[] = [
  { title: "CPU per delivery, as the room grows", xLabel: "clients in the room", yLabel: "µs per delivery", points: byRoom, y: cpu },
  { title: "CPU per delivery, as connections grow", xLabel: "connections (a room of 100 talks)", yLabel: "µs per delivery", points: byConnections, y: cpu },
  { title: "p99 latency, as the room grows", xLabel: "clients in the room", yLabel: "p99 ms", points: byRoom, y: p99 },
  { title: "p99 latency, as connections grow", xLabel: "connections (a room of 100 talks)", yLabel: "p99 ms", points: byConnections, y: p99 },
];

const log10 = Math.log10;
const decades = (lo: number, hi: number): number[] => {
  const out: number[] = [];
  for (let e = Math.floor(log10(lo)); e <= Math.ceil(log10(hi)); e++) out.push(10 ** e);
  return out;
};
const label = (v: number): string => (v >= 1000 ? `${v / 1000}k` : String(v));
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function panel(p: Panel, ox: number, oy: number): string {
  const series = plotted.map((s) => ({
    s,
    pts: p.points.flatMap(({ c, x }) => {
      const cell = cellOf(results, c, s.key);
      const y = cell === null ? NaN : p.y(cell);
      return Number.isFinite(y) && y > 0 ? [{ x, y }] : [];
    }),
  }));
  const ys = series.flatMap((s) => s.pts.map((q) => q.y));
  const xs = p.points.map((q) => q.x);
  const [yTicks, xTicks] = [decades(Math.min(...ys), Math.max(...ys)), decades(Math.min(...xs), Math.max(...xs))];
  const [y0, y1, x0, x1] = [log10(yTicks[0]!), log10(yTicks.at(-1)!), log10(xTicks[0]!), log10(xTicks.at(-1)!)];
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => ox + MARGIN.left + ((log10(x) - x0) / (x1 - x0 || 1)) * w;
  const py = (y: number): number => oy + MARGIN.top + h - ((log10(y) - y0) / (y1 - y0 || 1)) * h;
  const parts = [
    `<text x="${ox + PANEL_W / 2}" y="${oy + 18}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`,
    `<rect x="${ox + MARGIN.left}" y="${oy + MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#ccc"/>`,
    ...yTicks.map((t) => `<line x1="${ox + MARGIN.left}" x2="${ox + MARGIN.left + w}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/><text x="${ox + MARGIN.left - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`),
    ...xTicks.map((t) => `<text x="${px(t)}" y="${oy + MARGIN.top + h + 16}" text-anchor="middle">${label(t)}</text>`),
    `<text x="${ox + MARGIN.left + w / 2}" y="${oy + PANEL_H - 6}" text-anchor="middle">${esc(p.xLabel)}</text>`,
    `<text transform="translate(${ox + 14} ${oy + MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`,
  ];
  for (const { s, pts } of series) {
    const color = COLORS[s.key];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((q) => `${px(q.x).toFixed(1)},${py(q.y).toFixed(1)}`).join(" ")}"/>`);
    for (const q of pts) parts.push(`<circle cx="${px(q.x).toFixed(1)}" cy="${py(q.y).toFixed(1)}" r="3" fill="${color}"/>`);
  }
  return parts.join("\n");
}

const width = PANEL_W * 2;
const height = PANEL_H * 2 + 50;
const legend = plotted
  .map((s, i) => `<rect x="${70 + i * 170}" y="${PANEL_H * 2 + 22}" width="14" height="4" fill="${COLORS[s.key]}"/><text x="${90 + i * 170}" y="${PANEL_H * 2 + 28}">${esc(s.title)}</text>`)
  .join("\n");
const stamp = results.environment.slice(0, 3).map((line) => esc(line)).join("; ");
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${PANELS.map((p, i) => panel(p, (i % 2) * PANEL_W, Math.floor(i / 2) * PANEL_H)).join("\n")}
${legend}
<text x="${width - 10}" y="${height - 6}" text-anchor="end" font-size="9" fill="#666">${stamp}</text>
</svg>
`;
writeFileSync(output, svg);
console.log(`wrote ${path.relative(process.cwd(), output)} from ${path.relative(process.cwd(), input)}`);
