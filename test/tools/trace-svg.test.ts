/**
 * tools/trace-svg.ts on the real tracer's events: well-formed SVG, one lane
 * per track, a box per step, an arrow per wake-up, waits named; the window
 * and the shape bound; and the trace:svg command as a real process.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { EventLoop, sleep, type Coro } from "../../src/loop/index.ts";
import type { TraceEvent } from "../../src/loop/trace/trace-event.ts";
import { Tracer } from "../../src/loop/trace/tracer.ts";
import { printMessages } from "../../src/loop/chapter.ts";
import { MAX_SHAPES, renderTraceSvg } from "../../tools/trace-svg.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "boucle-trace-svg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tracedOnVirtualClock(...tasks: [string, Coro<void>][]): Promise<TraceEvent[]> {
  const tracer = new Tracer();
  const loop = new EventLoop({ clock: "virtual", trace: tracer });
  const running = tasks.map(([name, coro]) => loop.createTask(coro, { name }));
  for (const task of running) await loop.runUntilComplete(task);
  loop.close();
  return tracer.events();
}

/** Every tag closed in order (self-closing ones aside), and no stray `<` or `&` in text. */
function expectWellFormed(svg: string): void {
  const open: string[] = [];
  for (const [tag, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^<>]*?(\/?)>/g)) {
    if (selfClosing === "/") continue;
    if (closing === "/") expect(open.pop(), tag).toBe(name);
    else open.push(name!);
  }
  expect(open).toEqual([]);
  const text = svg.replace(/<[^<>]*>/g, "");
  expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot);)/);
}

function count(svg: string, pattern: RegExp): number {
  return [...svg.matchAll(pattern)].length;
}

const chapter = () => tracedOnVirtualClock(["printer 1", printMessages("foo", "bar", "baz")], ["printer 2", printMessages("aaa", "bbb", "ccc", 700)]);

describe("renderTraceSvg", () => {
  it("draws the chapter's trace: a lane per track, a box per step, an arrow per wake-up, waits named", async () => {
    const events = await chapter();
    const svg = renderTraceSvg(events);
    expectWellFormed(svg);
    const lanes = [...svg.matchAll(/<g class="lane" data-track="([^"]*)">/g)].map((m) => m[1]);
    expect(lanes).toEqual(["loop", "timers", "callbacks", "printer 1 (priority 0)", "printer 2 (priority 0)"]);
    const steps = events.filter((e) => e.ph === "X" && typeof e.args?.["seq"] === "number");
    expect(steps).toHaveLength(8);
    expect(count(svg, /<g class="step">/g)).toBe(steps.length);
    expect(count(svg, /<path class="flow"/g)).toBe(events.filter((e) => e.ph === "f").length);
    expect(count(svg, /<g class="wait">/g)).toBe(6);
    expect(svg).toContain(">sleep until 1000.0 ms</text>");
    expect(count(svg, /<g class="instant">/g)).toBe(events.filter((e) => e.ph === "i").length);
    // The whole trace (it is small): 0 to 3000 ms, with a tick at each second.
    expect(svg).toContain(">0 ms to 3000 ms<");
    for (const tick of ["0 ms", "1000 ms", "2000 ms", "3000 ms"]) expect(svg).toContain(`text-anchor="middle">${tick}</text>`);
    // A callback's description is escaped, not taken for a tag.
    expect(svg).toContain("&lt;Handle stopLoop&gt;");
  });

  it("writes beside each step what the caller says it did, and waits after it", async () => {
    const events = await chapter();
    const said = new Map([["printer 1#1", "foo"]]);
    const svg = renderTraceSvg(events, { stepLabel: (e) => said.get(`${e.name}#${String(e.args?.["step"])}`) });
    expect(svg).toMatch(/<text [^>]*class="step-label">foo<\/text>/);
    const fooX = Number(/<text x="([\d.]+)" [^>]*class="step-label">foo</.exec(svg)![1]);
    const waitX = Number(/<text x="([\d.]+)" [^>]*class="wait-label">sleep until 1000.0 ms</.exec(svg)![1]);
    expect(waitX).toBeGreaterThan(fooX + 3 * 6);
  });

  it("draws only the window asked for: the lanes and steps within it", async () => {
    const events = await chapter();
    const svg = renderTraceSvg(events, { fromMs: 600, toMs: 1100 });
    expectWellFormed(svg);
    // bbb (700 ms) and bar (1000 ms) are in; foo, aaa and the later steps are not.
    expect(count(svg, /<g class="step">/g)).toBe(2);
    expect(svg).not.toContain('data-track="callbacks"');
    // The sleeps that span the window are drawn, cut at its edges.
    expect(svg).toContain("sleep until 1000.0 ms");
  });

  it("keeps a long trace to its first 50 ms by default, and to a bounded number of shapes", async () => {
    function* ticker(): Coro<void> {
      for (let i = 0; i < 1500; i++) yield* sleep(1);
    }
    const events = await tracedOnVirtualClock(["ticker", ticker()]);
    expect(events.length).toBeGreaterThan(2000);
    const svg = renderTraceSvg(events);
    expect(svg).toContain(">0 ms to 50 ms<");
    expect(count(svg, /<g class="step">/g)).toBeLessThanOrEqual(52);
    const all = renderTraceSvg(events, { fromMs: 0, toMs: 1500 });
    expect(all).toContain(`cut at ${MAX_SHAPES} shapes`);
    expect(count(all, /<g class="(step|slice|wait|instant)">|<path class="flow"/g)).toBe(MAX_SHAPES);
    expectWellFormed(all);
  });
});

describe("npm run trace:svg", () => {
  it("turns a trace file into an SVG file, in the window asked for", async () => {
    const input = join(dir, "chapter.json");
    const output = join(dir, "chapter.svg");
    writeFileSync(input, JSON.stringify({ traceEvents: await chapter() }));
    const { stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "tools/trace-to-svg.ts", input, output, "--from", "0", "--to", "1500"], {
      cwd: ROOT,
      timeout: 15_000,
    });
    expect(stderr).toContain(`trace-to-svg: ${output}`);
    const svg = readFileSync(output, "utf8");
    expect(svg).toContain(">0 ms to 1500 ms<");
    expectWellFormed(svg);
  });

  it("says how to use it when a file is missing", async () => {
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", "tools/trace-to-svg.ts", "only-one.json"], { cwd: ROOT, timeout: 15_000 });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^usage: npm run trace:svg/) });
  });
});
