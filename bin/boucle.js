#!/usr/bin/env node
// The `boucle` command: the built CLI in dist/ (`npm run build`; `npm ci`
// builds it through the `prepare` script).
let cli;
try {
  ({ cli } = await import("../dist/src/apps/cli.js"));
} catch (error) {
  // Why: a clone where nobody ran `npm ci` (or `npm run build`) has no
  // dist/; say what to do instead of printing a module-resolution stack.
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/src/apps/cli.js")) throw error;
  process.stderr.write("boucle: the build is missing (dist/): run `npm run build` in the package\n");
  process.exit(1);
}
process.exitCode = await cli(process.argv.slice(2));
