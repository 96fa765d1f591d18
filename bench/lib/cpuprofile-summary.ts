/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): self time per
 * function (file:line function), and total (inclusive) time for boucle's
 * own functions, so "where does the time go in src/loop" has numbers.
 *
 * Usage: npx tsx bench/lib/cpuprofile-summary.ts CPU.xxx.cpuprofile [top=25] [prefix=src/loop]
 * (the prefix picks the files whose inclusive time is listed, e.g. src/net)
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, prefixArg] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: cpuprofile-summary.ts FILE.cpuprofile [top]");
const top = Number(topArg ?? 25);
const prefix = prefixArg ?? "src/loop";
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function label(frame: CallFrame): string {
  // Why strip up to src/ (or dist/src/): the same names whichever checkout or build ran.
  const url = frame.url.replace(/^file:\/\//, "").replace(/^.*?\/(?:dist\/)?(?=(?:src|bench|test)\/)/, "");
  // Why no line for .ts files: tsx's compiled output does not keep the source lines.
  const where = url === "" ? "(native)" : url.endsWith(".ts") ? url : `${url}:${frame.lineNumber + 1}`;
  return `${where} ${frame.functionName || "(anonymous)"}`;
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const node = byId.get(id)!;
  const name = label(node.callFrame);
  self.set(name, (self.get(name) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!.callFrame);
    if (seen.has(l)) continue; // Recursion: count once.
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
});

const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
console.log("\nself time:");
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
}
console.log(`\ninclusive time, ${prefix} only:`);
for (const [name, us] of [...inclusive].filter(([n]) => n.startsWith(prefix)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
}
