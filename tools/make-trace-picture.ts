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
import { createTask, Event, gather, run, type Coro } from "../src/loop/index.ts";
import { Tracer } from "../src/loop/trace/tracer.ts";
import { openConnection, type StreamReader } from "../src/net/index.ts";
import { chatServerOptions, parseChatServerArgs } from "../src/apps/chat-server/options.ts";
import { ChatServer } from "../src/apps/chat-server/server.ts";
import { runTimelineDemo } from "../src/apps/demo/timeline-demo.ts";
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

/**
 * Alice and Bob join and name themselves; Alice says hi, Bob answers; then
 * Carol joins, says hello to all, and everyone quits; the server stops.
 * Events between the clients keep the order the same on every run.
 */
function* chatScenario(): Coro<void> {
  const options = chatServerOptions(parseChatServerArgs(["--host", "127.0.0.1", "--port", "0", "--quiet"]), {});
  const server = yield* ChatServer.start(options);
  const bobNamed = new Event();
  const bobAnswered = new Event();
  try {
    const alice = createTask(
      talk(server.port, "alice", function* (say, hear) {
        yield* bobNamed.wait();
        say("hi bob");
        yield* hear(/^<bob> hello alice/);
        yield* hear(/^<carol> hello all/);
      }),
      { name: "client alice" },
    );
    const bob = createTask(
      talk(server.port, "bob", function* (say, hear) {
        bobNamed.set();
        yield* hear(/^<alice> hi bob/);
        say("hello alice");
        bobAnswered.set();
        yield* hear(/^<carol> hello all/);
      }),
      { name: "client bob" },
    );
    yield* bobAnswered.wait();
    const carol = createTask(
      talk(server.port, "carol", function* (say) {
        say("hello all");
      }),
      { name: "client carol" },
    );
    yield* gather(alice, bob, carol);
  } finally {
    yield* server.shutdown(0);
  }
}

type Say = (line: string) => void;
type Hear = (pattern: RegExp) => Coro<string>;

/** One client: connect, take the welcome, `/nick NAME`, run `script`, then `/quit` and wait for the goodbye. */
function* talk(port: number, nick: string, script: (say: Say, hear: Hear) => Coro<void>): Coro<void> {
  const [reader, writer] = yield* openConnection("127.0.0.1", port);
  const say: Say = (line) => writer.write(`${line}\n`);
  const hear: Hear = (pattern) => readUntil(reader, pattern);
  try {
    yield* reader.readline(); // The welcome.
    say(`/nick ${nick}`);
    yield* hear(new RegExp(`is now known as ${nick}`));
    yield* script(say, hear);
    say("/quit");
    yield* hear(/^\* goodbye/);
  } finally {
    writer.close();
  }
}

function* readUntil(reader: StreamReader, pattern: RegExp): Coro<string> {
  for (;;) {
    const line = (yield* reader.readline()).toString("utf8").replace(/\n$/, "");
    if (pattern.test(line)) return line;
    if (reader.atEof()) throw new Error(`connection closed before a line matching ${pattern}`);
  }
}

await main();
