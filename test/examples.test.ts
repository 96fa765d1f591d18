/**
 * Each chapter example runs as a real child process (`node --import tsx`)
 * and must print exactly what the chapter prints.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Run examples/<name>.ts; return its stdout lines and how long it took. */
async function runExample(name: string): Promise<{ lines: string[]; stderr: string; ms: number }> {
  const start = performance.now();
  const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", `examples/${name}.ts`], {
    cwd: ROOT,
    timeout: 30_000,
  });
  return { lines: stdout.split("\n").filter((line) => line !== ""), stderr, ms: performance.now() - start };
}

describe.concurrent("examples (the chapter's steps)", () => {
  it("01-run-task runs one coroutine to its end with next()", async () => {
    const { lines, stderr } = await runExample("01-run-task");
    expect(lines).toEqual(["Hello", "World", "runTask returned 42"]);
    expect(stderr).toBe("");
  });

  it("02-run-tasks interleaves the tasks at each interruption: 1, Hello, 2, 3, World", async () => {
    const { lines, stderr } = await runExample("02-run-tasks");
    expect(lines).toEqual(["1", "Hello", "2", "3", "World"]);
    expect(stderr).toBe("");
  });

  it("03-naive-sleep prints foo, aaa, bbb, bar, ccc, baz with the busy-waiting sleep", async () => {
    // Takes ~3 s of busy-waiting; only the order is asserted, not the timing.
    const { lines, stderr } = await runExample("03-naive-sleep");
    expect(lines).toEqual(["foo", "aaa", "bbb", "bar", "ccc", "baz"]);
    expect(stderr).toBe("");
  });

  it("04-event-loop runs callbacks in order and the same printers on timers, idle in between", async () => {
    const { lines, stderr, ms } = await runExample("04-event-loop");
    expect(lines).toEqual([
      "callSoon A",
      "callSoon B",
      "callLater 10 ms",
      "callLater 20 ms",
      "getRunningLoop() in a task is our loop: true",
      "foo",
      "aaa",
      "bbb",
      "bar",
      "ccc",
      "baz",
      "both printers done",
      "CPU mostly idle while the tasks slept",
    ]);
    expect(stderr).toBe("");
    expect(ms).toBeGreaterThanOrEqual(3000); // Real timers: baz's last sleep ends at t=3 s.
  });

  it("05-gather collects typed results in order and a TaskGroup cancels siblings of a failure", async () => {
    const { lines, stderr } = await runExample("05-gather");
    expect(lines).toEqual([
      "[t=10 ms] count 1",
      "[t=20 ms] count 2",
      "[t=25 ms] name fetched",
      "[t=30 ms] count 3",
      '[t=30 ms] gather -> [3, "boucle"] (typed [number, string])',
      "[t=40 ms] a step 1",
      "[t=40 ms] b step 1",
      "[t=40 ms] b finally",
      "[t=50 ms] a step 2",
      "[t=50 ms] a finally",
      "[t=50 ms] group done",
      "[t=60 ms] long step 1",
      "[t=70 ms] long step 2",
      "[t=75 ms] failing",
      "[t=75 ms] long finally",
      "[t=75 ms] TaskGroupError: disk full",
    ]);
    expect(stderr).toBe("");
  });

  it("06-priorities runs the urgent tasks first in each turn and still runs the low one", async () => {
    const { lines, stderr } = await runExample("06-priorities");
    expect(lines).toEqual([
      "Order within a turn (created low first, urgent last):",
      "turn 1",
      "  urgent (-1) step 1",
      "  normal (0) step 1",
      "  promoted (5) step 1",
      "  low (10) step 1",
      "turn 2",
      "  urgent (-1) step 2",
      "  normal (0) step 2",
      "  promoted (5) step 2",
      "  promoted (5) is now priority -5",
      "  low (10) step 2",
      "turn 3",
      "  promoted (5) step 3",
      "  urgent (-1) step 3",
      "  normal (0) step 3",
      "  low (10) step 3",
      "No starvation: an urgent task spins on release() until a low one is done:",
      "  low step 1",
      "  low step 2",
      "  low step 3",
      "the low task finished while the urgent one spun 4 times",
    ]);
    expect(stderr).toBe("");
  });
});
