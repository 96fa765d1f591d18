/**
 * `boucle demo --timeline` as a real process: the six messages in the
 * chapter's order, then a row per printer; with --trace, a file too.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { TraceFile } from "../../src/loop/trace/trace-event.ts";
import { cleanup, ROOT, runApp } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "boucle-timeline-cli-"));
afterEach(cleanup);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("boucle demo --timeline", () => {
  it("prints foo aaa bbb bar ccc baz, then a row per printer, without colors when piped", async () => {
    const { code, stdout, stderr } = await runApp(["demo", "--timeline"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.split("\n");
    const header = lines.findIndex((l) => l.startsWith("time (ms)"));
    expect(lines.slice(1, header).filter((l) => l !== "")).toEqual(["foo", "aaa", "bbb", "bar", "ccc", "baz"]);
    expect(lines[header + 1]).toMatch(/^printer 1 +\[foo\].*\[bar\].*\[baz\].*\[end\]$/);
    expect(lines[header + 2]).toMatch(/^printer 2 +\[aaa\].*\[bbb\].*\[ccc\].*\[end\]$/);
    expect(stdout).not.toContain("\x1b[");
  });

  it("draws what docs/tracing.md shows", async () => {
    const doc = readFileSync(join(ROOT, "docs", "tracing.md"), "utf8");
    const sample = /\n {2}```\n((?: {2}time \(ms\).*\n)(?: {2}.*\n)*?) {2}```\n/.exec(doc);
    expect(sample).not.toBeNull();
    const { stdout } = await runApp(["demo", "--timeline"]);
    const drawn = stdout.slice(stdout.indexOf("time (ms)"));
    expect(drawn).toBe(sample![1]!.replace(/^ {2}/gm, ""));
  });

  it("with --trace FILE also writes the run for Perfetto: the printers' steps and sleeps", async () => {
    const file = join(dir, "timeline.json");
    const { code, stderr } = await runApp(["demo", "--timeline", "--trace", file]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^boucle: trace written to /);
    const trace = JSON.parse(readFileSync(file, "utf8")) as TraceFile;
    expect(trace.otherData.clock).toBe("virtual");
    expect(trace.traceEvents.filter((e) => e.ph === "X" && e.name === "printer 1")).toHaveLength(4);
    expect(trace.traceEvents.filter((e) => e.ph === "b" && e.name.startsWith("sleep until "))).toHaveLength(6);
  });

  it("refuses --step with --timeline", async () => {
    const { code, stderr } = await runApp(["demo", "--timeline", "--step", "2"]);
    expect(code).toBe(1);
    expect(stderr).toBe("boucle demo: --timeline and --step do not go together\n");
  });
});
