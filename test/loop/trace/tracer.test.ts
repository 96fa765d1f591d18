/**
 * The tracer: Chrome Trace Event JSON for a known program. The chapter's
 * printMessages on the virtual clock gives exact timestamps; a real
 * loopback socket shows the selector's readiness waking a task; a queue
 * shows a task waking another; the ring keeps the latest events only.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { printMessages } from "../../../src/loop/chapter.ts";
import { EventLoop, Queue, createTask, run, sleep, type Coro } from "../../../src/loop/index.ts";
import { FIRST_TASK_TID, TRACKS, type TraceEvent } from "../../../src/loop/trace/trace-event.ts";
import { Tracer } from "../../../src/loop/trace/tracer.ts";
import { listen, streamsOf } from "../../../src/net/index.ts";
import { nodePeer } from "../../net/helpers.ts";

function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  return fn().finally(() => (console.log = log));
}

/** The two printers of the chapter, on a virtual-clock loop traced by `tracer`. */
async function tracePrinters(tracer: Tracer): Promise<void> {
  const loop = new EventLoop({ clock: "virtual", trace: tracer });
  await quiet(() =>
    loop.runUntilComplete(
      (function* (): Coro<void> {
        const first = createTask(printMessages("foo", "bar", "baz"), { name: "first" });
        const second = createTask(printMessages("aaa", "bbb", "ccc", 700), { name: "second", priority: 1 });
        yield* first;
        yield* second;
      })(),
    ),
  );
  loop.close();
}

function* spin(name: string, log: string[]): Coro<void> {
  for (let i = 0; i < 3; i++) {
    log.push(`${name}${i}`);
    yield* sleep(i);
  }
}

function trackId(events: TraceEvent[], name: string): number {
  const meta = events.find((e) => e.ph === "M" && e.name === "thread_name" && (e.args?.["name"] as string).startsWith(`${name} `));
  if (meta === undefined) throw new Error(`no track named ${name}`);
  return meta.tid;
}

describe("Tracer", () => {
  it("writes the chapter's interleaving with exact virtual timestamps: steps, waits, timers and wake-up arrows", async () => {
    const tracer = new Tracer();
    await tracePrinters(tracer);
    const file = JSON.parse(JSON.stringify(tracer.toJSON())) as ReturnType<Tracer["toJSON"]>;
    expect(file.displayTimeUnit).toBe("ms");
    expect(file.otherData).toMatchObject({ producer: "boucle", clock: "virtual", droppedEvents: 0 });
    const events = file.traceEvents;
    for (const e of events) {
      expect(["X", "b", "e", "i", "s", "f", "M"]).toContain(e.ph);
      expect(typeof e.name).toBe("string");
      expect(Number.isFinite(e.ts) && Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
    }

    // Tracks: the loop's own that were used (no I/O here: no selector), then one per task with its name and priority.
    const names = events.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => e.args?.["name"]);
    expect(names).toEqual(expect.arrayContaining(["loop", "timers", "callbacks", "first (priority 0)", "second (priority 1)"]));
    const first = trackId(events, "first");
    const second = trackId(events, "second");
    expect(Math.min(first, second)).toBeGreaterThanOrEqual(FIRST_TASK_TID);

    // Steps: where each ran, in ms, in global step order.
    const steps = events.filter((e) => e.ph === "X" && e.tid >= FIRST_TASK_TID).sort((a, b) => (a.args!["seq"] as number) - (b.args!["seq"] as number));
    const at = (tid: number): number[] => steps.filter((e) => e.tid === tid).map((e) => e.ts / 1000);
    expect(at(first)).toEqual([0, 1000, 2000, 3000]);
    expect(at(second)).toEqual([0, 700, 1400, 2100]);
    // The order the chapter prints: foo aaa bbb bar ccc baz (then the ends of each printer).
    const order = steps.filter((e) => e.tid === first || e.tid === second).map((e) => `${e.tid === first ? "first" : "second"}@${e.ts / 1000}`);
    expect(order).toEqual(["first@0", "second@0", "second@700", "first@1000", "second@1400", "first@2000", "second@2100", "first@3000"]);
    expect(steps.find((e) => e.tid === second && e.ts === 2_100_000)?.args).toMatchObject({ step: 4, outcome: "done" });
    expect(steps.find((e) => e.tid === first && e.ts === 0)?.args).toMatchObject({ step: 1, outcome: "parked", parkedOn: "sleep until 1000.0 ms" });

    // Waits: async b/e pairs by id, named by what was waited on, from the park to the wake-up.
    const waits = new Map<string, { begin?: TraceEvent; end?: TraceEvent }>();
    for (const e of events.filter((e) => e.cat === "wait")) {
      const pair = waits.get(e.id!) ?? {};
      if (e.ph === "b") pair.begin = e;
      else pair.end = e;
      waits.set(e.id!, pair);
    }
    const secondWaits = [...waits.values()].filter((w) => w.begin?.tid === second);
    expect(secondWaits.map((w) => [w.begin!.name, w.begin!.ts / 1000, w.end!.ts / 1000])).toEqual([
      ["sleep until 700.0 ms", 0, 700],
      ["sleep until 1400.0 ms", 700, 1400],
      ["sleep until 2100.0 ms", 1400, 2100],
    ]);
    for (const { begin, end } of waits.values()) expect(end?.name).toBe(begin?.name);

    // Timers firing, each late by 0 on the virtual clock.
    const fired = events.filter((e) => e.ph === "i" && e.tid === TRACKS.timers);
    expect(fired.map((e) => e.ts / 1000)).toEqual([700, 1000, 1400, 2000, 2100, 3000]);
    expect(fired.every((e) => e.args?.["lateMs"] === 0)).toBe(true);

    // Wake-ups: every flow end has its start, on the timers track for a sleep.
    const starts = new Map(events.filter((e) => e.ph === "s").map((e) => [e.id, e]));
    const ends = events.filter((e) => e.ph === "f");
    expect(ends.length).toBeGreaterThanOrEqual(6);
    for (const end of ends) {
      expect(end.bp).toBe("e");
      expect(starts.get(end.id)).toBeDefined();
    }
    const wokenSecond = ends.filter((e) => e.tid === second).map((e) => starts.get(e.id)!.tid);
    expect(wokenSecond).toEqual([TRACKS.timers, TRACKS.timers, TRACKS.timers]);

    // Iterations on the loop track.
    expect(events.filter((e) => e.ph === "X" && e.tid === TRACKS.loop).length).toBeGreaterThanOrEqual(8);
  });

  it("draws an arrow from the task that woke another (a queue hand-off)", async () => {
    const tracer = new Tracer();
    await run(
      (function* (): Coro<void> {
        const queue = new Queue<number>();
        const consumer = createTask(
          (function* () {
            return yield* queue.get();
          })(),
          { name: "consumer" },
        );
        const producer = createTask(
          (function* () {
            yield* sleep(1);
            queue.putNowait(1);
          })(),
          { name: "producer" },
        );
        yield* producer;
        yield* consumer;
      })(),
      { clock: "virtual", trace: tracer },
    );
    const events = tracer.events();
    const consumer = trackId(events, "consumer");
    const producer = trackId(events, "producer");
    const wait = events.find((e) => e.ph === "b" && e.tid === consumer);
    expect(wait?.name).toBe("queue get");
    const end = events.find((e) => e.ph === "f" && e.tid === consumer)!;
    expect(events.find((e) => e.ph === "s" && e.id === end.id)?.tid).toBe(producer);
  });

  it("shows the selector's readiness waking a task parked on a socket read", async () => {
    const tracer = new Tracer();
    const loop = new EventLoop({ trace: tracer });
    let port = 0;
    await loop.runUntilComplete(
      (function* (): Coro<void> {
        const server = yield* listen({ port: 0 });
        port = server.port;
        const peer = yield* nodePeer(port);
        const socket = yield* server.accept();
        const [reader] = streamsOf(socket);
        const readerTask = createTask(reader.readline(), { name: "reader" });
        yield* sleep(5);
        peer.write("hello\n");
        expect(new TextDecoder().decode(yield* readerTask)).toBe("hello\n");
        peer.destroy();
        socket.close();
        server.close();
      })(),
    );
    loop.close();
    const events = tracer.events();
    const reader = trackId(events, "reader");
    const label = `socket read 127.0.0.1:`;
    const wait = events.find((e) => e.ph === "b" && e.tid === reader);
    expect(wait?.name.startsWith(label)).toBe(true);
    const ready = events.find((e) => e.ph === "i" && e.tid === TRACKS.selector);
    expect(ready?.name).toBe(`ready: ${wait!.name}`);
    const end = events.find((e) => e.ph === "f" && e.tid === reader)!;
    expect(events.find((e) => e.ph === "s" && e.id === end.id)?.tid).toBe(TRACKS.selector);
    expect(events.some((e) => e.ph === "X" && e.tid === TRACKS.selector && e.name === "poll")).toBe(true);
  });

  it("keeps only the latest maxEvents events, and says how many it dropped", async () => {
    const tracer = new Tracer({ maxEvents: 50 });
    await run(
      (function* (): Coro<void> {
        for (let i = 0; i < 100; i++) yield* sleep(1);
      })(),
      { clock: "virtual", trace: tracer },
    );
    const kept = tracer.events().filter((e) => e.ph !== "M");
    expect(kept.length).toBe(50);
    expect(tracer.dropped).toBeGreaterThan(100);
    expect(tracer.toJSON().otherData.droppedEvents).toBe(tracer.dropped);
    // The newest survive: the last timer (100 ms) is there, the first (1 ms) is not.
    const timers = kept.filter((e) => e.tid === TRACKS.timers && e.ph === "i").map((e) => e.ts / 1000);
    expect(timers).toContain(100);
    expect(timers).not.toContain(1);
  });

  it("keeps the names of the tracks still in the ring, not of every task there ever was", async () => {
    const tracer = new Tracer({ maxEvents: 200 });
    await run(
      (function* (): Coro<void> {
        for (let i = 0; i < 2_000; i++) yield* createTask(sleep(1), { name: `short-${i}` });
      })(),
      { clock: "virtual", trace: tracer },
    );
    const events = tracer.events();
    const named = new Set(events.filter((e) => e.name === "thread_name").map((e) => e.tid));
    const used = new Set(events.filter((e) => e.ph !== "M").map((e) => e.tid));
    for (const tid of used) expect(named.has(tid)).toBe(true);
    const namedTasks = [...named].filter((tid) => tid >= FIRST_TASK_TID);
    expect(namedTasks.every((tid) => used.has(tid))).toBe(true);
    expect(events.some((e) => e.name === "short-1999")).toBe(true);
  });

  it("run(main, { trace: file }) writes the file when the loop closes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "boucle-trace-"));
    try {
      const file = join(dir, "trace.json");
      await run(sleep(3), { clock: "virtual", trace: file });
      const written = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: TraceEvent[] };
      expect(written.traceEvents.some((e) => e.ph === "i" && e.name === "sleep until 3.0 ms")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("tracing does not change what a program does (same interleaving, traced or not)", async () => {
    const log: string[] = [];
    const program = (): Coro<void> =>
      (function* () {
        const a = createTask(spin("a", log));
        const b = createTask(spin("b", log), { priority: -1 });
        yield* a;
        yield* b;
      })();
    await run(program(), { clock: "virtual" });
    const plain = log.splice(0);
    await run(program(), { clock: "virtual", trace: new Tracer() });
    expect(log).toEqual(plain);
  });
});
