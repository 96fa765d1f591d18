/**
 * `npm run trace:svg -- TRACE.json OUT.svg [--from MS] [--to MS] [--width PX]`:
 * a trace file written by boucle (--trace FILE, or a Tracer) drawn as an
 * SVG (tools/trace-svg.ts). Without --from/--to: the whole trace if small,
 * else its first 50 ms.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import type { TraceFile } from "../src/loop/trace/trace-event.ts";
import { renderTraceSvg, type TraceSvgOptions } from "./trace-svg.ts";

const USAGE = "usage: npm run trace:svg -- TRACE.json OUT.svg [--from MS] [--to MS] [--width PX] [--title TEXT]\n";

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { from: { type: "string" }, to: { type: "string" }, width: { type: "string" }, title: { type: "string" } },
    });
  } catch (error) {
    process.stderr.write(`trace-to-svg: ${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const [input, output] = parsed.positionals;
  if (input === undefined || output === undefined || parsed.positionals.length > 2) {
    process.stderr.write(USAGE);
    return 1;
  }
  const options: TraceSvgOptions = { title: parsed.values.title ?? `boucle trace: ${basename(input)}` };
  for (const name of ["from", "to", "width"] as const) {
    const raw = parsed.values[name];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      process.stderr.write(`trace-to-svg: --${name} takes a number, not "${raw}"\n`);
      return 1;
    }
    options[name === "from" ? "fromMs" : name === "to" ? "toMs" : "width"] = value;
  }
  const trace = JSON.parse(readFileSync(input, "utf8")) as TraceFile;
  writeFileSync(output, renderTraceSvg(trace.traceEvents, options));
  process.stderr.write(`trace-to-svg: ${output} (${trace.traceEvents.length} events in ${input})\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
