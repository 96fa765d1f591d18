/**
 * The chat server's line encoder (src/apps/chat-server/line-arena.ts):
 * lines side by side in one block, the same line once, and bytes that
 * never change once handed out.
 */
import { describe, expect, it } from "vitest";
import { encodeLine } from "../../src/apps/chat-server/line-arena.ts";

/** A copy of what `encodeLine(line)` returned, taken before the next call overwrites it. */
function encoded(line: string): { block: Buffer; start: number; end: number; text: string } {
  const { block, start, end } = encodeLine(line);
  return { block, start, end, text: block.toString("utf8", start, end) };
}

describe("encodeLine", () => {
  it("puts lines one right after another in the same block, each with its newline", () => {
    const a = encoded("<ada> hello");
    const b = encoded("<bob> hi");
    expect(a.text).toBe("<ada> hello\n");
    expect(b.text).toBe("<bob> hi\n");
    if (b.block === a.block) expect(b.start).toBe(a.end); // Unless a's line just filled the block.
  });

  it("encodes the same line in a row once: a fan-out's members share its bytes", () => {
    const first = encoded("<ada> to everyone");
    const again = encoded("<ada> to everyone");
    expect([again.block, again.start, again.end]).toEqual([first.block, first.start, first.end]);
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    const line = encoded("<ada> 漢字 é 🎉");
    expect(line.end - line.start).toBe(Buffer.byteLength("<ada> 漢字 é 🎉\n"));
    expect(line.text).toBe("<ada> 漢字 é 🎉\n");
  });

  it("starts a new block when one is full, and never rewrites the bytes of the old one", () => {
    const first = encoded("<ada> the first line");
    const body = "x".repeat(4000);
    let moved = false;
    for (let i = 0; i < 40 && !moved; i++) moved = encoded(`<bob> ${i} ${body}`).block !== first.block;
    expect(moved).toBe(true);
    expect(first.block.toString("utf8", first.start, first.end)).toBe("<ada> the first line\n");
    const next = encoded("<ada> after the move");
    expect(next.start).toBeLessThan(next.end);
    expect(next.text).toBe("<ada> after the move\n");
  });

  it("gives a line too long for a block's share a buffer of its own", () => {
    const long = `<ada> ${"y".repeat(20_000)}`;
    const line = encoded(long);
    expect([line.start, line.end]).toEqual([0, Buffer.byteLength(long) + 1]);
    expect(line.block.length).toBe(line.end);
    expect(line.text).toBe(`${long}\n`);
  });
});
