import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests spawn bin/boucle.js, which runs dist/: rebuild it when src/ changed.
    globalSetup: ["./test/build-dist.ts"],
    setupFiles: ["./test/watchdog.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ["default", "./test/plain-summary-reporter.ts"],
  },
});
