/**
 * The `boucle` CLI run from its TypeScript sources, as bin/boucle.js did
 * before the build (tsx compiling each module at start): the "before" of
 * bench/startup.bench.ts. Run: node --import tsx bench/startup/from-source.ts ARGS
 */
import { cli } from "../../src/apps/cli.ts";

process.exitCode = await cli(process.argv.slice(2));
