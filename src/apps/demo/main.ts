/**
 * `boucle demo`: the course chapter's steps, one after the other, on our
 * loop: what examples/01..06 print, in one quick run. The sleeps of steps
 * 4 and 5 run on the loop's virtual clock, and step 3's busy-waiting sleep
 * is scaled down ten times, so the whole demo takes well under a second.
 */
import { intOption, parseCommandArgs, usage, type CommandSpec } from "../cli/args.ts";
import { STEPS } from "./steps.ts";

export const SPEC: CommandSpec = {
  name: "demo",
  summary: "Run the course chapter's examples on the loop and print what they print.",
  options: {
    step: { type: "string", value: "N", help: `run only step N (1 to ${STEPS.length})` },
  },
};

export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(SPEC, argv);
  if (parsed.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  const only = intOption(SPEC, "step", parsed.values["step"], 0, 1, STEPS.length);
  for (const [i, step] of STEPS.entries()) {
    if (only !== 0 && only !== i + 1) continue;
    console.log(`== ${i + 1}. ${step.title}`);
    await step.run();
    console.log("");
  }
  return 0;
}
