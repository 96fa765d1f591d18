/**
 * `npm run docs:trace`: the pictures of docs/tracing.md, made from traces
 * this project writes (nothing drawn by hand):
 *
 *   - docs/trace-chapter.svg: the chapter's two printers on a virtual clock
 *     (what `boucle demo --timeline` draws in the terminal);
 *   - docs/trace-chat.svg: the chat server on 127.0.0.1 (any free port) and
 *     three clients on the same loop, over real loopback sockets: they join,
 *     name themselves, talk, and leave; then the server shuts down.
 *
 * With `--keep DIR`, the trace JSON files are left in DIR (for Perfetto).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { run } from "../src/loop/index.ts";
import { Tracer } from "../src/loop/trace/tracer.ts";
import { runTimelineDemo } from "../src/apps/demo/timeline-demo.ts";
import { chatScenario } from "./chat-scenario.ts";
import { renderTraceSvg } from "./trace-svg.ts";

const DOCS = new URL("../docs/", import.meta.url);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keep: { type: "string" } } });
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), "boucle-trace-picture-"));
  mkdirSync(dir, { recursive: true });
  try {
    await chapterPicture(dir);
    await chatPicture(dir);
  } finally {
    if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

async function chapterPicture(dir: string): Promise<void> {
  const { events, stepText } = await runTimelineDemo();
  writeFileSync(join(dir, "trace-chapter.json"), JSON.stringify({ traceEvents: events }));
  const svg = renderTraceSvg(events, {
    title: 'The chapter\'s printers: printMessages("foo", "bar", "baz") and printMessages("aaa", "bbb", "ccc", 700), virtual clock',
    stepLabel: (step) => stepText(step.name, step.args?.["step"] as number),
  });
  writeFileSync(new URL("trace-chapter.svg", DOCS), svg);
  console.error(`docs/trace-chapter.svg (${events.length} events)`);
}

async function chatPicture(dir: string): Promise<void> {
  const tracer = new Tracer();
  await run(chatScenario(), { trace: tracer });
  tracer.writeFile(join(dir, "trace-chat.json"));
  const events = tracer.events();
  const svg = renderTraceSvg(events, { title: "The chat server and three clients on one loop, over loopback sockets (real clock)" });
  writeFileSync(new URL("trace-chat.svg", DOCS), svg);
  console.error(`docs/trace-chat.svg (${events.length} events, ${tracer.dropped} dropped)`);
}

await main();
