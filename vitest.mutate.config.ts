import { defineConfig } from "vitest/config";

/**
 * The tests `npm run mutate` (StrykerJS) runs against each mutant: the
 * layers it mutates, src/loop and src/net. Why not the app tests too: they
 * start real processes, which neither see Stryker's mutants nor finish in
 * a mutation run's time.
 */
export default defineConfig({
  test: {
    include: ["test/loop/**/*.test.ts", "test/net/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
