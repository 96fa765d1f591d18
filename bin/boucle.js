#!/usr/bin/env node
// The `boucle` command: registers tsx so the TypeScript sources run as they are.
import { register } from "tsx/esm/api";

register();
await import("../src/apps/cli.ts");
