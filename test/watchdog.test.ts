import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("the per-file wall-clock watchdog", () => {
  it("fails a test file stuck in a synchronous infinite loop instead of hanging, and the other files still run", () => {
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [
        "node_modules/vitest/vitest.mjs",
        "run",
        "--config",
        "test/fixtures/vitest.fixtures.config.ts",
        "--reporter",
        "verbose",
      ],
      { encoding: "utf8", timeout: 60_000, env: { ...process.env, BOUCLE_TEST_FILE_LIMIT_MS: "3000", NO_COLOR: "1", CI: "1" } },
    );
    const output = run.stdout + run.stderr;
    expect(run.signal, output).toBeNull(); // vitest itself ended: it did not hang until spawnSync's timeout.
    expect(run.status, output).not.toBe(0);
    expect(output).toMatch(/watchdog: .*spins-forever\.fixture\.ts ran over 3000 ms/);
    expect(output).toMatch(/✓ .*passes/);
    expect(Date.now() - started).toBeLessThan(45_000);
  });
});
