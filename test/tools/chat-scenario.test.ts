/**
 * The scenario behind docs/trace-chat.svg, run for real (the chat server and
 * three clients over loopback) and traced: what docs/tracing.md says the
 * picture shows is in the trace, so `npm run docs:trace` cannot rot.
 */
import { describe, expect, it } from "vitest";
import { run } from "../../src/loop/index.ts";
import type { TraceEvent } from "../../src/loop/trace/trace-event.ts";
import { Tracer } from "../../src/loop/trace/tracer.ts";
import { chatScenario } from "../../tools/chat-scenario.ts";
import { renderTraceSvg } from "../../tools/trace-svg.ts";

function trackNames(events: readonly TraceEvent[]): Map<number, string> {
  return new Map(events.filter((e) => e.name === "thread_name").map((e) => [e.tid, String(e.args?.["name"])]));
}

describe("the chat scenario of docs/trace-chat.svg", () => {
  it("traces three clients and their server-side tasks on socket reads woken by the selector, and draws them", async () => {
    const tracer = new Tracer();
    await run(chatScenario(), { trace: tracer });
    const events = tracer.events();
    expect(tracer.dropped).toBe(0);
    const names = trackNames(events);
    for (const nick of ["alice", "bob", "carol"]) expect([...names.values()]).toContain(`client ${nick} (priority 0)`);
    expect([...names.values()].filter((n) => /^client 127\.0\.0\.1:\d+ \(priority -5\)$/.test(n))).toHaveLength(3);
    expect([...names.values()]).toContain("accept (priority -10)");

    const tidOf = (name: string) => [...names].find(([, n]) => n === name)![0];
    const reads = events.filter((e) => e.ph === "b" && e.tid === tidOf("client bob (priority 0)") && e.name.startsWith("socket read 127.0.0.1:"));
    expect(reads.length).toBeGreaterThan(2);
    // Bob's step sets the event Alice waits on: a task-to-task arrow.
    const starts = new Map(events.filter((e) => e.ph === "s").map((e) => [e.id, e.tid]));
    const intoAlice = events.filter((e) => e.ph === "f" && e.tid === tidOf("client alice (priority 0)")).map((e) => starts.get(e.id));
    expect(intoAlice).toContain(tidOf("client bob (priority 0)"));
    expect(intoAlice).toContain(3); // The selector.

    const svg = renderTraceSvg(events);
    expect(svg).toContain('data-track="client carol (priority 0)"');
    expect([...svg.matchAll(/<path class="flow"/g)]).toHaveLength(events.filter((e) => e.ph === "f").length);
  });
});
