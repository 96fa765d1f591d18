/**
 * End-to-end: with `--workers`, SIGUSR1 to the primary reaches every
 * worker, and each writes its own task dump (on one real redis-server).
 */
import { afterEach, describe, expect, it } from "vitest";
import { useRedisServer } from "../helpers/redis-server.ts";
import { cleanup, startApp } from "./helpers.ts";

const redis = useRedisServer();
afterEach(cleanup);

describe("chat-server --workers and SIGUSR1", () => {
  it("the primary passes SIGUSR1 on: one dump per worker, and everything keeps running", async () => {
    const { app, port } = await startApp("chat-server", ["--redis", redis().url, "--workers", "2"]);
    await app.waitForStderr(/listening on \S+\n[\s\S]*listening on \S+\n/, 15_000); // Both workers.
    app.child.kill("SIGUSR1");
    await app.waitForStderr(/boucle: \d+ tasks \(SIGUSR1\)\n[\s\S]*boucle: \d+ tasks \(SIGUSR1\)\n/);
    await app.waitForStderr(new RegExp(`accept \\[prio -?\\d+\\] parked [\\d.]+ m?s on accept \\S+:${port}[\\s\\S]*accept \\[prio`));
    expect(app.stderr).not.toMatch(/Debugger listening/);
    expect(app.child.exitCode).toBeNull();
    app.child.kill("SIGTERM");
    expect((await app.exited).code).toBe(0);
  });
});
