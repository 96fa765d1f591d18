/**
 * A real chat-server process with `--metrics-port 0 --log-format json`,
 * and one scrape of it through fetch, parsed by the oracle.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { AppProcess, ROOT } from "../helpers.ts";
import { parseScrape, type Families } from "./prometheus-oracle.ts";

/** A chat server with metrics and JSON logs on free ports. */
export async function startObserved(args: string[] = []): Promise<{ app: AppProcess; port: number; metricsPort: number }> {
  const app = new AppProcess(["chat-server", "--port", "0", "--metrics-port", "0", "--log-format", "json", ...args]);
  const chat = await app.waitForStderr(/"msg":"chat server listening on 127\.0\.0\.1:(\d+)"/, 15_000);
  const metrics = await app.waitForStderr(/"msg":"metrics listening on http:\/\/127\.0\.0\.1:(\d+)\/metrics"/);
  return { app, port: Number(chat[1]), metricsPort: Number(metrics[1]) };
}

export async function scrape(metricsPort: number): Promise<Families> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parseScrape(await response.text());
}


/** The metric names docs/metrics.md's tables list (the first column, labels dropped). */
export function documentedMetrics(): Set<string> {
  const text = readFileSync(join(ROOT, "docs/metrics.md"), "utf8");
  return new Set([...text.matchAll(/^\| `([a-z_:]+)(?:\{[^}]*\})?` \|/gm)].map((m) => m[1]!));
}

/** Fail naming any family of `families` that docs/metrics.md does not list. */
export function expectDocumented(families: Families): void {
  const documented = documentedMetrics();
  expect([...families.keys()].filter((name) => !documented.has(name))).toEqual([]);
}
