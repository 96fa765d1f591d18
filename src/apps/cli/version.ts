/**
 * The package's version, for `boucle --version`: read from the package.json
 * above this module, found by walking up, since this file runs both as
 * src/apps/cli/version.ts (tsx, tests) and dist/src/apps/cli/version.js.
 */
import { readFileSync } from "node:fs";

/** The `version` field of boucle's package.json. */
export function packageVersion(): string {
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    const manifest = readManifest(new URL("package.json", dir));
    if (manifest?.name === "boucle" && typeof manifest.version === "string") return manifest.version;
    if (dir.pathname === "/") throw new Error("boucle's package.json not found above " + import.meta.url);
  }
}

function readManifest(url: URL): { name?: unknown; version?: unknown } | null {
  try {
    return JSON.parse(readFileSync(url, "utf8")) as { name?: unknown; version?: unknown };
  } catch {
    return null; // None here (or unreadable): keep walking up.
  }
}
