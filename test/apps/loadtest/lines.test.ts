import { describe, expect, it } from "vitest";
import { LineSplitter, NumberQueue } from "../../../src/apps/loadtest/lines.ts";

function collect(chunks: string[], maxLine = 1000): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(maxLine);
  const sink = { line: (buf: Buffer, start: number, end: number) => void lines.push(buf.toString("latin1", start, end)) };
  for (const chunk of chunks) splitter.push(Buffer.from(chunk, "latin1"), sink);
  return lines;
}

describe("LineSplitter", () => {
  it("cuts a chunk into lines without the newline, keeping empty lines", () => {
    expect(collect(["a\nbb\n\nccc\n"])).toEqual(["a", "bb", "", "ccc"]);
  });

  it("joins a line split across chunks, however it is split", () => {
    expect(collect(["ab", "c\nd", "e", "\n"])).toEqual(["abc", "de"]);
    expect(collect(["abc", "\n"])).toEqual(["abc"]);
  });

  it("holds an unfinished line back until its newline comes", () => {
    const splitter = new LineSplitter(100);
    const lines: string[] = [];
    splitter.push(Buffer.from("x\nhalf"), { line: (b, s, e) => void lines.push(b.toString("utf8", s, e)) });
    expect(lines).toEqual(["x"]);
    expect(splitter.pending).toBe(4);
  });

  it("refuses an unfinished line longer than its limit", () => {
    expect(() => collect(["12345", "678"], 6)).toThrow(RangeError);
  });
});

describe("NumberQueue", () => {
  it("is FIFO across growth and wrap-around, and NaN when empty", () => {
    const q = new NumberQueue(2);
    const out: number[] = [];
    for (let i = 0; i < 100; i++) {
      q.push(i);
      q.push(i + 0.5);
      out.push(q.shift());
    }
    while (q.size > 0) out.push(q.shift());
    const expected = Array.from({ length: 100 }, (_, i) => [i, i + 0.5]).flat();
    expect(out).toEqual(expected);
    expect(q.shift()).toBeNaN();
  });
});
