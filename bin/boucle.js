#!/usr/bin/env node
// The `boucle` command: registers tsx so the TypeScript sources run as they are.
import { register } from "tsx/esm/api";

register();
const { cli } = await import("../src/apps/cli.ts");
process.exitCode = await cli(process.argv.slice(2));
