import { describe, expect, it } from "vitest";
import { ProgressBar } from "../../../src/apps/loadtest/progress.ts";

function fakeTerminal(isTTY: boolean, durationMs?: number) {
  const writes: string[] = [];
  let nowMs = 0;
  const bar = new ProgressBar({
    write: (text) => writes.push(text),
    isTTY,
    now: () => nowMs,
    ...(durationMs === undefined ? {} : { durationMs }),
  });
  return { bar, writes, advance: (ms: number) => (nowMs += ms) };
}

describe("ProgressBar", () => {
  it("writes nothing at all when stderr is not a TTY", () => {
    const { bar, writes, advance } = fakeTerminal(false, 1000);
    for (let i = 0; i < 100; i++) {
      advance(50);
      bar.update({ sent: i, received: i });
    }
    bar.finish();
    expect(writes).toEqual([]);
  });

  it("redraws at most about 10 times per second however often it is updated", () => {
    const { bar, writes, advance } = fakeTerminal(true, 10_000);
    for (let i = 0; i < 1000; i++) {
      advance(1);
      bar.update({ sent: i, received: i });
    }
    expect(writes.length).toBeGreaterThanOrEqual(9);
    expect(writes.length).toBeLessThanOrEqual(11);
  });

  it("shows sent, received, the current rate, elapsed and remaining time", () => {
    const { bar, writes, advance } = fakeTerminal(true, 10_000);
    advance(2000);
    bar.update({ sent: 100, received: 400 });
    advance(1000);
    bar.update({ sent: 150, received: 25_000 });
    const line = writes.at(-1) ?? "";
    expect(line.startsWith("\r\x1b[2K")).toBe(true);
    expect(line).toContain("30%");
    expect(line).toContain("sent 150");
    expect(line).toContain("recv 25.0k");
    expect(line).toContain("24.6k/s");
    expect(line).toContain("0:03");
    expect(line).toContain("~0:07 left");
  });

  it("estimates the remaining time from expected receives when no duration is planned", () => {
    const { bar, writes, advance } = fakeTerminal(true);
    advance(4000);
    bar.update({ sent: 10, received: 250, expected: 1000 });
    expect(writes.at(-1)).toContain(" 25%");
    expect(writes.at(-1)).toContain("~0:12 left");
  });

  it("clears its line at the end and stays silent afterwards", () => {
    const { bar, writes, advance } = fakeTerminal(true, 1000);
    bar.update({ sent: 1, received: 1 });
    bar.finish();
    expect(writes.at(-1)).toBe("\r\x1b[2K");
    const count = writes.length;
    advance(500);
    bar.update({ sent: 2, received: 2 });
    bar.finish();
    expect(writes).toHaveLength(count);
  });

  it("does not clear a line it never drew", () => {
    const { bar, writes } = fakeTerminal(true, 1000);
    bar.finish();
    expect(writes).toEqual([]);
  });
});

describe("ProgressBar in a narrow terminal", () => {
  it("cuts every line to the terminal's width less 3 (room for an echoed ^C), reading the width at each redraw", () => {
    const writes: string[] = [];
    let nowMs = 0;
    let columns = 40;
    const bar = new ProgressBar({ write: (t) => writes.push(t), isTTY: true, now: () => nowMs, durationMs: 10_000, columns: () => columns });
    nowMs += 2000;
    bar.update({ sent: 123_456, received: 7_654_321 });
    columns = 30; // resized
    nowMs += 2000;
    bar.update({ sent: 223_456, received: 8_654_321 });
    const lines = writes.map((w) => w.replace("\r\x1b[2K", ""));
    expect(lines[0]!.length).toBe(37);
    expect(lines[1]!.length).toBe(27);
    expect(lines[0]).toMatch(/^\[#+-*\] +\d+%/);
  });

  it("assumes 80 columns when the terminal does not say", () => {
    const writes: string[] = [];
    let nowMs = 0;
    const bar = new ProgressBar({ write: (t) => writes.push(t), isTTY: true, now: () => nowMs, durationMs: 10_000 });
    nowMs += 2000;
    bar.update({ sent: 123_456_789, received: 987_654_321 });
    expect(writes[0]!.replace("\r\x1b[2K", "").length).toBeLessThanOrEqual(77);
  });
});
