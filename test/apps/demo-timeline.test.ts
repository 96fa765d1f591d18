/**
 * The terminal timeline, drawn from the real tracer's events: the chapter's
 * printers (foo aaa bbb bar ccc baz seen as two rows taking turns), tasks
 * woken together (ready, not yet run, drawn apart from parked), and a trace
 * too long for the width.
 */
import { describe, expect, it } from "vitest";
import { Event, EventLoop, type Coro } from "../../src/loop/index.ts";
import { Tracer } from "../../src/loop/trace/tracer.ts";
import { renderTimeline } from "../../src/apps/demo/timeline.ts";
import { runTimelineDemo } from "../../src/apps/demo/timeline-demo.ts";

/** The row of the task named `name`. */
function row(text: string, name: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no row for ${name} in:\n${text}`);
  return line;
}

/** The boxes of every row, by the column they start at: the order the loop ran them. */
function boxesInColumnOrder(text: string, rows: string[]): string[] {
  const boxes: { at: number; text: string }[] = [];
  for (const name of rows) for (const m of row(text, name).matchAll(/\[([^\]]*)\]/g)) boxes.push({ at: m.index, text: m[1]! });
  return boxes.sort((a, b) => a.at - b.at).map((b) => b.text);
}

async function traced(main: (loop: EventLoop) => Promise<void>): Promise<Tracer> {
  const tracer = new Tracer();
  const loop = new EventLoop({ clock: "virtual", trace: tracer });
  try {
    await main(loop);
  } finally {
    loop.close();
  }
  return tracer;
}

describe("demo --timeline's drawing", () => {
  it("shows the chapter's printers taking turns: foo aaa bbb bar ccc baz, a row each, sleeping between steps", async () => {
    const { printed, timeline } = await runTimelineDemo({ width: 80 });
    expect(printed).toEqual(["foo", "aaa", "bbb", "bar", "ccc", "baz"]);
    expect(boxesInColumnOrder(timeline, ["printer 1", "printer 2"])).toEqual(["foo", "aaa", "bbb", "bar", "ccc", "baz", "end", "end"]);
    expect(row(timeline, "printer 1")).toMatch(/\[foo\]─+sleep─+\[bar\]─+sleep─+\[baz\]─+sleep─+\[end\]$/);
    expect(row(timeline, "printer 2")).toMatch(/^printer 2 +\[aaa\]─+\[bbb\]─+sleep─+\[ccc\]─+sleep─+\[end\]$/);
    // The header gives each iteration's loop time once: foo and aaa share iteration 1 at 0 ms.
    expect(timeline.split("\n")[0]!.split(/ +/)).toEqual(["time", "(ms)", "0", "700", "1000", "1400", "2000", "2100", "3000"]);
    for (const line of timeline.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(timeline).not.toContain("\x1b[");
  });

  it("draws tasks woken together but run one after the other as ready (dots), not parked", async () => {
    const tracer = await traced(async (loop) => {
      const go = new Event();
      function* waiter(): Coro<void> {
        yield* go.wait();
      }
      function* setter(): Coro<void> {
        yield;
        go.set();
      }
      const tasks = [loop.createTask(waiter(), { name: "waiter A" }), loop.createTask(waiter(), { name: "waiter B" }), loop.createTask(setter(), { name: "setter" })];
      for (const task of tasks) await loop.runUntilComplete(task);
    });
    const text = renderTimeline(tracer.events(), { text: () => "x" });
    // Both are parked on the event until the setter's second step, then ready: A until
    // the next iteration runs it, B while A runs too.
    expect(row(text, "waiter A")).toMatch(/^waiter A +\[x\]─+event wait─+·+\[x\]$/);
    expect(row(text, "waiter B")).toMatch(/^waiter B +\[x\]─+event wait─+·+\[x\]$/);
    expect(row(text, "waiter B").lastIndexOf("·")).toBeGreaterThan(row(text, "waiter A").lastIndexOf("["));
    // The setter's first step gave its turn back (a bare yield): ready, not parked.
    expect(row(text, "setter")).toMatch(/\[x\]·+\[x\]/);
  });

  it("shows as many steps as the width holds and says how many it left out", async () => {
    const tracer = await traced(async (loop) => {
      await loop.runUntilComplete(
        loop.createTask(
          (function* (): Coro<void> {
            for (let i = 0; i < 40; i++) yield;
          })(),
          { name: "spinner" },
        ),
      );
    });
    const text = renderTimeline(tracer.events(), { width: 60 });
    expect(text).toMatch(/… 33 more steps not shown \(41 in all\)/);
    expect(row(text, "spinner")).toMatch(/^spinner +\[#1\]·+\[#2\]/);
    for (const line of text.split("\n").slice(0, 2)) expect(line.length).toBeLessThanOrEqual(60);
  });

  it("colors steps, waits and ready spans when asked", async () => {
    const { timeline } = await runTimelineDemo({ color: true });
    expect(row(timeline, "printer 1")).toContain("\x1b[1;36m[foo]\x1b[0m");
    expect(timeline).toContain("\x1b[2m");
  });
});
