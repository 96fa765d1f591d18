/**
 * vitest globalSetup: tests that spawn `bin/boucle.js` run the built CLI in
 * dist/, so build it first when any source is newer than the last build.
 * Why the mtime check: tsc's incremental no-op still takes seconds, and
 * most test runs change nothing under src/.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STAMP = join(ROOT, "dist", ".tsbuildinfo");
const INPUTS = ["src", "examples", "tsconfig.json", "tsconfig.build.json", "package.json"];

/** The newest modification time (ms) of a file or of any file under a folder. */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // A deleted or renamed file shows only as its folder's mtime.
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function builtAt(): number {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return -Infinity; // Never built.
  }
}

export default function setup(): void {
  const sources = Math.max(...INPUTS.map((input) => newestMtime(join(ROOT, input))));
  if (sources <= builtAt()) return;
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  // Why: tsc leaves its build info untouched when nothing changed (a file saved as it was).
  const now = new Date();
  utimesSync(STAMP, now, now);
}
