/**
 * One connected chat client: the hub's Member (its `send` writes to the
 * socket and enforces the bounded queue) and the task that reads its lines.
 *
 * A client is one task, one `while` loop (no recursion per line): read a
 * line, check its length, decode, apply flood control, hand it to the hub.
 * Writes never block: lines are queued on the StreamWriter, which hands
 * them to Node once per loop iteration, so a fan-out to a room costs no
 * system call per message. A client whose queue passes the bound is a slow
 * reader: dropped at once, its room told, and nobody waits for it.
 */
import type { ClusterHub } from "../chat/cluster-hub.ts";
import { ChatHub, floodNotice, lineTooLong, SLOW_READER_REASON, type Member } from "../chat/hub.ts";
import { SHUTTING_DOWN } from "../chat/replies.ts";
import { decodeLine } from "../chat/sanitize.ts";
import { TokenBucket } from "../chat/token-bucket.ts";
import { currentTask, release, Task, type Coro } from "../../loop/index.ts";
import { LimitOverrunError, type StreamReader, type StreamWriter } from "../../net/index.ts";
import { INTERACTIVE_PRIORITY, MESSAGE_BATCH, MESSAGE_PRIORITY } from "./priorities.ts";

/** Longest line in bytes, without its `\n` and a dropped `\r` (docs/PROTOCOL.md). */
export const MAX_LINE_BYTES = 4096;
/**
 * The StreamReader's limit: one more than MAX_LINE_BYTES, so a 4096-byte
 * line followed by `\r` still fits. Longer ones raise LimitOverrunError
 * without the reader waiting for (or holding) the rest of the line.
 */
export const READ_LIMIT = MAX_LINE_BYTES + 1;

const SLASH = 0x2f;
const CR = 0x0d;

export interface ClientSettings {
  maxQueueBytes: number;
  floodLimit: boolean;
  priorities: boolean;
}

// Why a one-entry cache: a fan-out sends the same line to every member in a
// row, so the `line + "\n"` string is built once per broadcast, not per member.
let lastLine = "";
let lastWire = "\n";

function wire(line: string): string {
  if (line !== lastLine) {
    lastLine = line;
    lastWire = `${line}\n`;
  }
  return lastWire;
}

/** How a client's connection ended, for the disconnect log line ("eof", "quit: lunch", ...). */
export type EndReason = string;

export class ChatClient implements Member {
  readonly id: number;
  nick = "";
  room = "";
  readonly peer: string;
  readonly #hub: ChatHub | ClusterHub;
  readonly #writer: StreamWriter;
  readonly #settings: ClientSettings;
  /** Set once the connection is closing, whoever closes it. */
  #ended: EndReason | null = null;

  constructor(id: number, peer: string, hub: ChatHub | ClusterHub, writer: StreamWriter, settings: ClientSettings) {
    this.id = id;
    this.peer = peer;
    this.#hub = hub;
    this.#writer = writer;
    this.#settings = settings;
  }

  /** Why the connection is closing, or null while it is open. */
  get ended(): EndReason | null {
    return this.#ended;
  }

  /** Queue one line; never blocks. Drops the client if its queue passes the bound. */
  send(line: string): void {
    if (this.#ended !== null) return;
    try {
      this.#writer.write(wire(line));
    } catch {
      // The peer reset the connection: its reader sees the error and logs it.
      this.#ended = "reset";
      this.#hub.leave(this);
      return;
    }
    // Why Node's backlog and not writer.bufferedBytes(): the latter also counts
    // this iteration's coalesced output, not yet offered to the kernel, which a
    // burst of fan-out can make large for a client that reads at full speed.
    // What Node still holds after earlier flushes is what the peer did not take.
    if (this.#writer.socket.nodeSocket.writableLength > this.#settings.maxQueueBytes) {
      this.#ended = SLOW_READER_REASON;
      this.#writer.abort();
      this.#hub.leave(this, SLOW_READER_REASON); // Runs after the current hub operation.
    }
  }

  /** Flush what is queued, then close (after `/quit` or at shutdown). */
  close(reason?: string): void {
    if (this.#ended !== null) return;
    this.#ended = reason === SHUTTING_DOWN ? "shutdown" : (reason ?? "closed");
    this.#writer.close();
  }

  /** Close because the connection ended or failed; the hub is told by the caller. */
  end(reason: EndReason): void {
    if (this.#ended === null) this.#ended = reason;
    if (reason === "reset") this.#writer.abort();
    else this.#writer.close();
  }

  /**
   * Hand what is queued to Node now instead of at the end of the iteration,
   * so a reply does not wait behind the iteration's fan-out.
   */
  flushNow(): void {
    if (this.#ended === null) this.#writer.flush();
  }

  /**
   * The client's reader loop: until EOF, a `/quit` or the connection's end.
   * @throws the socket's NetError (e.g. ConnectionResetError).
   */
  *readLines(reader: StreamReader): Coro<void> {
    const { floodLimit, priorities } = this.#settings;
    const task: Task<unknown> | null = priorities ? currentTask() : null;
    const bucket = floodLimit ? new TokenBucket() : null;
    let flooding = false;
    let messagesThisStep = 0;
    while (this.#ended === null) {
      if (reader.buffered === 0) {
        // About to wait for fresh input: presumed a person, urgent again.
        if (task !== null) task.priority = INTERACTIVE_PRIORITY;
        messagesThisStep = 0;
      }
      let line: Buffer | null;
      try {
        line = yield* reader.nextLine();
      } catch (error) {
        if (!(error instanceof LimitOverrunError)) throw error;
        this.send(lineTooLong(MAX_LINE_BYTES));
        this.flushNow();
        yield* reader.discardLine(); // Drops the rest of the line as it comes; holds none of it.
        continue;
      }
      if (line === null) return;
      if (this.#ended !== null) return; // Lines after /quit are not handled.
      const length = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
      if (length > MAX_LINE_BYTES) {
        this.send(lineTooLong(MAX_LINE_BYTES));
        this.flushNow();
        continue;
      }
      if (bucket !== null) {
        if (!bucket.take()) {
          if (!flooding) this.send(floodNotice()); // Once per burst.
          flooding = true;
          continue;
        }
        flooding = false;
      }
      const isCommand = line[0] === SLASH && line[1] !== SLASH;
      if (!isCommand) {
        if (task !== null && task.priority !== MESSAGE_PRIORITY) {
          // Fan-out waits behind the next iteration's urgent steps.
          task.priority = MESSAGE_PRIORITY;
          messagesThisStep = 0;
          yield* release();
        } else if (++messagesThisStep > MESSAGE_BATCH) {
          messagesThisStep = 0;
          yield* release();
        }
        if (this.#ended !== null) return;
      }
      const handling = this.#hub.handleLine(this, decodeLine(line));
      // Why wait: on a shared chat a line is done once it came back from Redis;
      // the next one is read after it (sender order, the reply barrier).
      if (handling instanceof Task) yield* handling;
      if (isCommand && priorities) this.flushNow();
      if (this.#ended !== null) return; // /quit, or dropped as a slow reader: stop reading now.
    }
  }
}
