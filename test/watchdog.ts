/**
 * An outer wall-clock bound on each test file (a vitest setup file).
 *
 * Why a thread: vitest's timeouts are timers on the test's own thread, and a
 * synchronous infinite loop (a scheduler bug: a `while` that never ends
 * inside `runOnce`) never lets a timer run, so the file would hang CI for
 * good. A worker thread has its own event loop: when the file's time is up
 * it says which file and ends the process, which vitest reports as a
 * failed file while the others go on.
 */
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, expect } from "vitest";

/** Per file; far above the slowest file (about a minute on a busy machine). */
const LIMIT_MS = Number(process.env["BOUCLE_TEST_FILE_LIMIT_MS"] ?? 240_000);

const WATCHDOG = `
const { workerData } = require("node:worker_threads");
setTimeout(() => {
  require("node:fs").writeSync(2, "\\nwatchdog: " + workerData.file + " ran over " + workerData.limitMs + " ms of wall-clock time (a synchronous infinite loop?): killing its test process\\n");
  process.kill(workerData.pid, "SIGKILL");
}, workerData.limitMs);
`;

let watchdog: Worker | null = null;

beforeAll(() => {
  const file = expect.getState().testPath ?? "a test file";
  watchdog = new Worker(WATCHDOG, { eval: true, workerData: { limitMs: LIMIT_MS, pid: process.pid, file } });
  watchdog.unref(); // Never what keeps the process alive.
});

afterAll(async () => {
  await watchdog?.terminate();
  watchdog = null;
});
