/**
 * `boucle demo`: the course chapter's steps, one after the other: it runs the
 * examples/ files themselves (each prints what the chapter prints when it is
 * loaded), so the demo and the examples can never drift apart. Steps 3 and 4
 * wait for real, as the chapter invites ("pour vous rendre compte de la
 * temporisation"): the whole demo takes about 7 s.
 *
 * `--timeline` instead runs the chapter's two printers on a virtual clock,
 * traced, and draws which task ran when (./timeline-demo.ts): instant.
 */
import { intOption, parseCommandArgs, usage, UsageError, type CommandSpec } from "../cli/args.ts";
import { runTimelineDemo } from "./timeline-demo.ts";

const STEPS = [
  ["01-run-task", "run_task: one coroutine, resumed with next() until it ends"],
  ["02-run-tasks", "run_tasks: round-robin at each interruption"],
  ["03-naive-sleep", "the naive sleep: busy-waiting, giving the turn back (about 3 s of CPU)"],
  ["04-event-loop", "the event loop: callbacks, timers, tasks sleeping on timers (about 3 s, idle)"],
  ["05-gather", "gather and TaskGroup (virtual clock)"],
  ["06-priorities", "priorities"],
] as const;

// Why: from src/ (tsx) the examples are .ts files; from the build in dist/
// they are .js (dist/examples/). The path is computed, so tsc cannot rewrite it.
const EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

export const SPEC: CommandSpec = {
  name: "demo",
  summary: "Run the course chapter's examples (examples/*.ts) on the loop and print what they print.",
  options: {
    step: { type: "string", value: "N", help: `run only step N (1 to ${STEPS.length})` },
    timeline: {
      type: "boolean",
      help: "run the two printers (foo bar baz, aaa bbb ccc) on a virtual clock and draw a row per task: where each step ran, where it waited (with --trace FILE, also for Perfetto)",
    },
  },
};

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(SPEC, argv);
  if (parsed.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  if (parsed.values["timeline"] === true) {
    if (parsed.values["step"] !== undefined) throw new UsageError("demo: --timeline and --step do not go together");
    return timeline();
  }
  const only = intOption(SPEC, "step", parsed.values["step"], 0, 1, STEPS.length);
  for (const [i, [file, title]] of STEPS.entries()) {
    if (only !== 0 && only !== i + 1) continue;
    console.log(`== ${i + 1}. ${title}  (examples/${file}.ts)`);
    await import(new URL(`../../../examples/${file}${EXTENSION}`, import.meta.url).href);
    console.log("");
  }
  return 0;
}

async function timeline(): Promise<number> {
  const tty = process.stdout.isTTY === true;
  console.log("== the chapter's two printers, printMessages(\"foo\", \"bar\", \"baz\") and printMessages(\"aaa\", \"bbb\", \"ccc\", 700)");
  const { timeline } = await runTimelineDemo({
    width: tty ? Math.max(80, process.stdout.columns) : 80,
    color: tty && !process.env["NO_COLOR"], // no-color.org: set and not empty
  });
  console.log("");
  process.stdout.write(timeline);
  return 0;
}
