import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/apps/logging/logger.ts";
import { reportLoopExceptions } from "../../../src/apps/logging/loop-exceptions.ts";
import { EventLoop } from "../../../src/loop/index.ts";

function capture(format: "text" | "json") {
  const lines: string[] = [];
  const log = createLogger({ format, write: (line) => lines.push(line), now: () => Date.UTC(2026, 11, 2, 19, 0, 0, 5) });
  return { log, lines };
}

describe("createLogger", () => {
  it("writes the text line as it is, fields aside", () => {
    const { log, lines } = capture("text");
    log.info("connect", "connect guest1 from 127.0.0.1:5000", { client: 1, nick: "guest1" });
    expect(lines).toEqual(["connect guest1 from 127.0.0.1:5000\n"]);
  });

  it("writes one JSON object per line: time, level, event, msg, then the fields that are set", () => {
    const { log, lines } = capture("json");
    log.info("disconnect", "disconnect ada from [::1]:5000 (quit: bye\nnow)", { client: 7, address: "[::1]:5000", nick: "ada", room: undefined, reason: "quit: bye\nnow" });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain("\n"); // A newline in a field cannot split the record.
    expect(JSON.parse(lines[0]!)).toEqual({
      time: "2026-12-02T19:00:00.005Z",
      level: "info",
      event: "disconnect",
      msg: "disconnect ada from [::1]:5000 (quit: bye\nnow)",
      client: 7,
      address: "[::1]:5000",
      nick: "ada",
      reason: "quit: bye\nnow",
    });
  });

  it("never lets a field overwrite time, level, event or msg", () => {
    const { log, lines } = capture("json");
    log.warn("refused", "refused", { level: "info", event: "forged", time: "never" });
    expect(JSON.parse(lines[0]!)).toEqual({ time: "2026-12-02T19:00:00.005Z", level: "warn", event: "refused", msg: "refused" });
  });
});

describe("reportLoopExceptions", () => {
  it("turns the loop's report of an uncaught error into one JSON exception event with its stack", () => {
    const { log, lines } = capture("json");
    const loop = new EventLoop();
    try {
      reportLoopExceptions(loop, log);
      loop.callExceptionHandler({ message: "error in the connection handler for 127.0.0.1:5000", exception: new RangeError("bad offset") });
      loop.callExceptionHandler({ message: "no exception attached" });
    } finally {
      loop.close();
    }
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ level: "error", event: "exception", msg: "boucle: error in the connection handler for 127.0.0.1:5000" });
    expect(first!["reason"]).toMatch(/^RangeError: bad offset\n\s+at /);
    expect(second).toEqual({ time: "2026-12-02T19:00:00.005Z", level: "error", event: "exception", msg: "boucle: no exception attached" });
  });
});
