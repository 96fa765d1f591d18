/**
 * The chat scenario behind docs/trace-chat.svg: the chat server on
 * 127.0.0.1 (any free port) and three clients on the same loop, over real
 * loopback sockets. Apart from tools/make-trace-picture.ts so a test can run
 * it (test/tools/chat-scenario.test.ts) and the picture cannot rot.
 */
import { createTask, Event, gather, type Coro } from "../src/loop/index.ts";
import { openConnection, type StreamReader } from "../src/net/index.ts";
import { chatServerOptions, parseChatServerArgs } from "../src/apps/chat-server/options.ts";
import { ChatServer } from "../src/apps/chat-server/server.ts";

/**
 * Alice and Bob join and name themselves; Alice says hi, Bob answers; then
 * Carol joins, says hello to all, and everyone quits; the server stops.
 * Events between the clients keep the order the same on every run.
 * @example
 * await run(chatScenario(), { trace: "chat.json" });
 */
export function* chatScenario(): Coro<void> {
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
