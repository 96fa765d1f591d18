/**
 * The client's coroutines. Interactive: one task prints what the server
 * sends, one reads the keyboard and sends lines, a third enforces the leave
 * timeout; whichever decides the outcome resolves one future, and the
 * TaskGroup cancels the rest. Piped: stdin lines are sent as they come,
 * EOF half-closes, and the server's lines are printed until it closes.
 *
 * Both read through StreamReaders on the loop's selector: the socket from
 * `openConnection`, stdin from `openInput`. No Node 'data' callbacks.
 */
import { Event, Future, getRunningLoop, sleep, taskGroup, type Coro } from "../../loop/index.ts";
import { LimitOverrunError, NetError, type StreamReader, type StreamWriter } from "../../net/index.ts";
import { SHUTTING_DOWN } from "../chat/replies.ts";
import { decodeLine, stripControls } from "../chat/sanitize.ts";
import { ERASE_LINE } from "./render.ts";
import type { ChatView } from "./view.ts";

/** Exit code after Ctrl-C: 128 + SIGINT, what a shell reports for a program killed by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
/**
 * After /quit or Ctrl-D, how long to wait for the server to close before
 * closing ourselves: a server that ignores a half-close must not hang the
 * terminal. The real server closes at once.
 */
export const LEAVE_TIMEOUT_MS = 3000;
/** How much one keyboard read takes (a paste can be large). */
const KEYBOARD_CHUNK = 4096;

export const CLOSED_BY_SERVER = "connection closed by server";
/** What the client says when the server announced its shutdown, then closed: a clean end (exit 0). */
export const SERVER_SHUT_DOWN = "the server shut down";

/** Where the client writes: stdout for the chat, stderr for its own errors. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface Connection {
  reader: StreamReader;
  writer: StreamWriter;
}

/** A `/quit` command (command words are case-insensitive). */
export function isQuit(line: string): boolean {
  return /^\/quit(?:[ \t]|$)/i.test(line);
}

/** The server's `* ping TOKEN` (only the server starts a line with `* `). */
const PING = /^\* ping (\S+)$/;

/**
 * The first line the interactive client sends, at once: the server closes
 * a connection that sends no complete line within `--first-line-timeout`,
 * and a person may well read for a while before typing. `/pong` is a sign
 * of life that announces no one and is answered with nothing. (Piped input
 * is sent as it is: its lines are the program's own.)
 */
const HELLO = "/pong\n";

/**
 * Pass each line the server sends to `show`, decoded and stripped of
 * controls, until the server closes; a `* ping TOKEN` is answered with
 * `/pong TOKEN` instead of shown. A line longer than the reader's limit is
 * dropped with a local notice instead of failing. Resolves with whether the
 * last line was the server's shutdown notice (a clean end).
 * @throws NetError if the connection breaks (reset...)
 */
function* receiveLines(conn: Connection, show: (line: string) => void): Coro<boolean> {
  const { reader, writer } = conn;
  const options = {
    discardOverLong: (dropped: number) => show(`! (client: dropped a line of ${dropped} bytes from the server, too long)`),
  };
  let last = "";
  for (let line; (line = yield* reader.nextLine(options)) !== null; ) {
    const text = stripControls(decodeLine(line));
    const ping = PING.exec(text);
    if (ping !== null) {
      if (!writer.isClosing()) writer.write(`/pong ${ping[1]}\n`);
      continue;
    }
    last = text;
    show(text);
  }
  return last === SHUTTING_DOWN;
}

function lostMessage(error: unknown): string {
  return error instanceof NetError ? `connection lost: ${error.message}` : CLOSED_BY_SERVER;
}

/**
 * The interactive client: keyboard bytes from `keyboard` (a terminal in raw
 * mode), screen output through `view`. Resolves with the exit code: 0 after
 * /quit or Ctrl-D once the server closed, or when the server closed after
 * announcing its shutdown; 1 if the server closed first otherwise or the
 * connection broke; {@link EXIT_INTERRUPTED} on Ctrl-C. Ctrl-Z calls
 * `suspend` (which returns once the program is resumed), then redraws.
 */
export function* runInteractive(conn: Connection, keyboard: StreamReader, view: ChatView, io: Output, suspend: () => void = () => {}): Coro<number> {
  const outcome = new Future<number>(getRunningLoop());
  const finish = (code: number): void => {
    if (!outcome.done()) outcome.setResult(code);
  };
  const left = new Event();

  function* serverLines(): Coro<void> {
    let failure: unknown = null;
    let shutDown = false;
    try {
      shutDown = yield* receiveLines(conn, (line) => io.out(view.incoming(line)));
    } catch (error) {
      if (!(error instanceof NetError)) throw error;
      failure = error;
    }
    if (left.isSet()) return finish(0); // We were leaving: however it closed, that is the end.
    io.out(view.leave());
    io.err((shutDown ? SERVER_SHUT_DOWN : lostMessage(failure)) + "\n");
    finish(shutDown ? 0 : 1);
  }

  function leave(): void {
    if (left.isSet()) return;
    io.out(view.leave());
    left.set();
  }

  function* keys(): Coro<void> {
    for (;;) {
      const bytes = yield* keyboard.read(KEYBOARD_CHUNK);
      if (bytes.length === 0) {
        // The terminal went away: leave as with Ctrl-D.
        if (!left.isSet()) conn.writer.writeEof();
        leave();
        return;
      }
      const { output, actions } = view.keys(bytes);
      io.out(output);
      try {
        for (const action of actions) {
          if (action.kind === "interrupt") return finish(EXIT_INTERRUPTED);
          if (action.kind === "suspend") {
            io.out(ERASE_LINE); // the shell's prompt will use this line
            suspend();
            io.out(view.start()); // resumed (fg): the input line again
            continue;
          }
          if (left.isSet()) continue;
          if (action.kind === "send") {
            conn.writer.write(action.line + "\n");
            if (isQuit(action.line)) leave();
          } else {
            conn.writer.writeEof(); // Ctrl-D: the protocol treats a half-close as leaving.
            leave();
          }
        }
        if (!left.isSet()) yield* conn.writer.drain();
      } catch (error) {
        // The connection is gone; serverLines sees it too and reports it.
        if (!(error instanceof NetError)) throw error;
      }
    }
  }

  function* leaveTimeout(): Coro<void> {
    yield* left.wait();
    yield* sleep(LEAVE_TIMEOUT_MS);
    finish(0);
  }

  conn.writer.write(HELLO);
  return yield* taskGroup(function* (group) {
    const tasks = [group.createTask(serverLines()), group.createTask(keys()), group.createTask(leaveTimeout())];
    io.out(view.start());
    const code = yield* outcome;
    for (const task of tasks) task.cancel();
    return code;
  });
}

/**
 * The piped client: each line of `input` is sent as it is read; at EOF (or
 * after a `/quit` line) the sending side is half-closed; every server line
 * is printed as plain text until the server closes. Resolves with 0 if the
 * server closed after we finished sending or after announcing its
 * shutdown, else 1 with a message on stderr.
 */
export function* runPiped(conn: Connection, input: StreamReader, io: Output): Coro<number> {
  let finishedSending = false;

  function* sendLines(): Coro<void> {
    try {
      for (;;) {
        let line: Buffer | null;
        try {
          line = yield* input.nextLine();
        } catch (error) {
          if (!(error instanceof LimitOverrunError)) throw error;
          conn.writer.write(yield* input.read(error.consumed)); // Why: a huge line is passed on in pieces.
          yield* conn.writer.drain();
          continue;
        }
        if (line === null) break;
        conn.writer.write(Buffer.concat([line, NEWLINE]));
        yield* conn.writer.drain();
        if (isQuit(decodeLine(line))) break; // The server closes after /quit: nothing more to send.
      }
      finishedSending = true;
      conn.writer.writeEof();
    } catch (error) {
      // The connection is gone; the receiving side sees it too and reports it.
      if (!(error instanceof NetError)) throw error;
    }
  }

  return yield* taskGroup(function* (group) {
    const sending = group.createTask(sendLines());
    let failure: unknown = null;
    let shutDown = false;
    try {
      shutDown = yield* receiveLines(conn, (line) => io.out(line + "\n"));
    } catch (error) {
      if (!(error instanceof NetError)) throw error;
      failure = error;
    }
    sending.cancel();
    if (failure === null && (finishedSending || shutDown)) return 0;
    io.err(lostMessage(failure) + "\n");
    return 1;
  });
}

const NEWLINE = Buffer.from("\n");
