import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTask, getRunningLoop, sleep } from "../../src/loop/index.ts";
import { openInput, Selector } from "../../src/net/index.ts";
import { runNet, within } from "./helpers.ts";

describe("openInput", () => {
  it("reads lines from a PassThrough through the selector, then EOF", async () => {
    const { value } = await runNet(function* () {
      const input = new PassThrough();
      const { reader, close } = openInput(input);
      const selector = Selector.of(getRunningLoop());
      const registered = selector.getKey(input) !== undefined;
      const lines: string[] = [];
      const readAll = createTask(
        (function* () {
          for (let line; (line = yield* reader.nextLine()) !== null; ) lines.push(line.toString());
        })(),
      );
      // Written from outside, the way a terminal would: in pieces, over time.
      input.write("first li");
      yield* sleep(5);
      input.write("ne\nsecond\nthi");
      yield* sleep(5);
      const seenBeforeEnd = [...lines];
      input.end("rd\nno newline");
      yield* within(2_000, readAll[Symbol.iterator]());
      const atEof = reader.atEof();
      close();
      return { registered, seenBeforeEnd, lines, atEof, sizeAfter: selector.size };
    });
    expect(value.registered).toBe(true);
    expect(value.seenBeforeEnd).toEqual(["first line", "second"]);
    expect(value.lines).toEqual(["first line", "second", "third", "no newline"]);
    expect(value.atEof).toBe(true);
    expect(value.sizeAfter).toBe(0);
  });

  it("close() unregisters the input and wakes nobody up later", async () => {
    const { value } = await runNet(function* (loop) {
      const input = new PassThrough();
      const { reader, close } = openInput(input);
      input.write("one\n");
      const line = yield* within(2_000, reader.readline());
      close();
      input.write("ignored\n"); // Nobody listens any more; this must not throw or wake anything.
      input.emit("error", new Error("late")); // Nor may a late error crash the process.
      yield* sleep(5);
      return {
        line: line.toString(),
        size: Selector.of(loop).size,
        listening: ["readable", "end", "close", "data"].map((event) => input.listenerCount(event)),
        paused: input.isPaused(),
        pending: input.readableLength,
      };
    });
    // The write after close() stays in the stream, unread: no listener is left to wake a task.
    expect(value).toEqual({ line: "one\n", size: 0, listening: [0, 0, 0, 0], paused: true, pending: "ignored\n".length });
  });
});
