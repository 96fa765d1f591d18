/**
 * One connected chat client: the hub's Member (its `send` writes to the
 * socket and enforces the bounded queue) and the task that reads its lines.
 *
 * A client is one task, one `while` loop (no recursion per line): read a
 * line, charge the flood bucket, check its length, decode, hand it to the
 * hub, charge what it cost. Every line received costs, and every
 * LINE_BATCH lines the task gives the turn back, whatever becomes of them.
 * Writes never block: lines are queued on the StreamWriter, which hands
 * them to Node once per turn of Node's loop, so a fan-out to a room costs no
 * system call per message. A client whose queue passes the bound (in
 * bytes), or the largest queue when all of them pass the server's output
 * budget, is a slow reader: dropped at once, its room told, and nobody
 * waits for it.
 */
import type { ClusterHub } from "../chat/cluster-hub.ts";
import { ChatHub, floodNotice, lineTooLong, SLOW_READER_REASON, type Member } from "../chat/hub.ts";
import { Liveness, type Silence } from "../chat/liveness.ts";
import { NO_LINE_REASON, PING_TIMEOUT_REASON, ping, SHUTTING_DOWN, silenceError } from "../chat/replies.ts";
import { decodeLine } from "../chat/sanitize.ts";
import { TokenBucket } from "../chat/token-bucket.ts";
import { currentTask, getRunningLoop, release, Task, type Coro } from "../../loop/index.ts";
import { Selector, type StreamReader, type StreamWriter } from "../../net/index.ts";
import { ChatCounters } from "./counters.ts";
import { encodeLine } from "./line-arena.ts";
import type { OutputBudget, QueuedOutput } from "./output-budget.ts";
import { INTERACTIVE_PRIORITY, LINE_BATCH, MESSAGE_PRIORITY } from "./priorities.ts";

/** Longest line in bytes, without its `\n` and a dropped `\r` (docs/PROTOCOL.md). */
export const MAX_LINE_BYTES = 4096;
/**
 * The StreamReader's limit: one more than MAX_LINE_BYTES, so a 4096-byte
 * line followed by `\r` still fits. Longer ones are dropped by the reader
 * as they arrive, without holding the rest of the line.
 */
export const READ_LIMIT = MAX_LINE_BYTES + 1;

const SLASH = 0x2f;
const CR = 0x0d;

export interface ClientSettings {
  maxQueueBytes: number;
  floodLimit: boolean;
  priorities: boolean;
  /** Silence before `* ping`, and again before closing (liveness.ts); 0 or absent: never. */
  idleMs?: number;
  /** Time to send a first complete line; 0 or absent: no bound. */
  firstLineMs?: number;
}

/** How a client's connection ended, for the disconnect log line ("eof", "quit: lunch", ...). */
export type EndReason = string;

/** Where a client's run of lines is handed to its writer before the loop gives Node its turn. */
function selectorOfRunningLoop(): Selector | null {
  try {
    return Selector.of(getRunningLoop());
  } catch {
    return null; // No loop (a unit test driving the hub by hand): every line is written at once.
  }
}

export class ChatClient implements Member, QueuedOutput {
  readonly id: number;
  nick = "";
  room = "";
  readonly peer: string;
  readonly address: string | undefined;
  readonly #hub: ChatHub | ClusterHub;
  readonly #writer: StreamWriter;
  readonly #settings: ClientSettings;
  readonly #budget: OutputBudget | null;
  readonly #counters: ChatCounters;
  /** Set once the connection is closing, whoever closes it. */
  #ended: EndReason | null = null;
  /**
   * Lines not yet handed to the writer: bytes #runStart to #runEnd of an
   * arena block (line-arena.ts), or no block. Why: lines sent one after
   * another are usually side by side in the block, so a fan-out extends
   * the run by a number instead of queueing a chunk per line per member;
   * the run leaves as one view when the loop gives Node its turn, or when
   * the next line does not follow on.
   */
  #runBlock: Buffer | null = null;
  #runStart = 0;
  #runEnd = 0;
  readonly #selector: Selector | null = selectorOfRunningLoop();
  #flushScheduled = false;

  /** `address`: the peer's address group (address.ts), for bans; `counters`: the server's (counters.ts). */
  constructor(
    id: number,
    peer: string,
    hub: ChatHub | ClusterHub,
    writer: StreamWriter,
    settings: ClientSettings,
    budget: OutputBudget | null = null,
    address?: string,
    counters = new ChatCounters(),
  ) {
    this.id = id;
    this.peer = peer;
    this.address = address;
    this.#hub = hub;
    this.#writer = writer;
    this.#settings = settings;
    this.#budget = budget;
    this.#counters = counters;
  }

  /** Why the connection is closing, or null while it is open. */
  get ended(): EndReason | null {
    return this.#ended;
  }

  /** Queue one line; never blocks. Drops the client if its queue passes the bound. */
  send(line: string): void {
    if (this.#ended !== null) return;
    const { block, start, end } = encodeLine(line);
    if (block === this.#runBlock && start === this.#runEnd) {
      this.#runEnd = end; // The run grows; the bound was checked when it began.
    } else {
      this.#writeRun();
      this.#runBlock = block;
      this.#runStart = start;
      this.#runEnd = end;
      if (this.#selector === null) this.#writeRun();
      else if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        this.#selector.scheduleFlush(this);
      }
      if (this.#ended !== null) return;
      if (this.queuedBytes() > this.#settings.maxQueueBytes) {
        this.evict();
        return;
      }
    }
    this.#counters.linesSent++;
    this.#counters.bytesSent += end - start;
    this.#budget?.charge(end - start);
  }

  /** The selector's end-of-iteration call: hands the run to the writer, before the socket's own flush. */
  flush(): void {
    this.#flushScheduled = false;
    this.#writeRun();
  }

  #writeRun(): void {
    const block = this.#runBlock;
    if (block === null) return;
    this.#runBlock = null;
    if (this.#ended !== null) return;
    try {
      this.#writer.write(block.subarray(this.#runStart, this.#runEnd));
    } catch {
      // The peer reset the connection: its reader sees the error and logs it.
      this.#ended = "reset";
      this.#hub.leave(this);
    }
  }

  /**
   * Bytes held for this client from earlier iterations: what the peer did
   * not take. Why not writer.bufferedBytes(): that also counts this
   * iteration's coalesced output, not yet offered to the kernel, which a
   * burst of fan-out can make large for a client that reads at full speed.
   */
  queuedBytes(): number {
    return this.#ended === null ? this.#writer.backlogBytes() : 0;
  }

  /** Drop this client as a slow reader: what is queued for it is lost, its room told. */
  evict(): void {
    if (this.#ended !== null) return;
    this.#ended = SLOW_READER_REASON;
    this.#runBlock = null;
    this.#writer.reset(); // Frees what the kernel holds for it too.
    this.#hub.leave(this, SLOW_READER_REASON); // Runs after the current hub operation.
  }

  /** Flush what is queued, then close (after `/quit` or at shutdown). */
  close(reason?: string): void {
    if (this.#ended !== null) return;
    this.#writeRun();
    if (this.#ended !== null) return;
    this.#ended = reason === SHUTTING_DOWN ? "shutdown" : (reason ?? "closed");
    this.#writer.close();
  }

  /** Close because the connection ended or failed; the hub is told by the caller. */
  end(reason: EndReason): void {
    if (reason === "reset") this.#runBlock = null;
    else this.#writeRun(); // Nothing already sent to this client is lost.
    if (this.#ended === null) this.#ended = reason;
    if (reason === "reset") this.#writer.abort();
    else this.#writer.close();
  }

  /**
   * Close a connection that stayed silent too long (see liveness.ts): it is
   * told why, its room gets `* nick left (ping timeout)` (or `no line
   * received`); the close is graceful and bounded (src/net/graceful-close.ts).
   */
  timeOut(why: Silence): void {
    if (this.#ended !== null) return;
    const reason = why === "ping timeout" ? PING_TIMEOUT_REASON : NO_LINE_REASON;
    this.send(silenceError(reason));
    this.#hub.leave(this, reason);
    this.close(reason);
  }

  /**
   * Hand what is queued to Node now instead of at the loop's turn to Node,
   * so a reply does not wait behind the fan-out.
   */
  flushNow(): void {
    this.#writeRun();
    if (this.#ended === null) this.#writer.flush();
  }

  /**
   * The client's reader loop: until EOF, a `/quit` or the connection's end.
   * @throws the socket's NetError (e.g. ConnectionResetError).
   */
  *readLines(reader: StreamReader): Coro<void> {
    const { floodLimit, priorities } = this.#settings;
    const task: Task<unknown> | null = priorities ? currentTask() : null;
    const loop = getRunningLoop();
    const bucket = floodLimit ? new TokenBucket({ now: () => loop.time() }) : null;
    let flooding = false;
    /** Whether the bucket lets one more line through (each line costs one token). */
    const admit = (): boolean => {
      if (bucket === null || bucket.take()) {
        flooding = false;
        return true;
      }
      if (!flooding) this.send(floodNotice()); // Once per burst.
      flooding = true;
      return false;
    };
    const { idleMs = 0, firstLineMs = 0 } = this.#settings;
    const liveness = new Liveness(loop, { idleMs, firstLineMs }, {
      ping: (token) => {
        this.send(ping(token));
        this.flushNow();
      },
      silent: (why) => this.timeOut(why),
    });
    try {
      yield* this.#readLoop(reader, liveness, task, admit, bucket);
    } finally {
      liveness.stop();
    }
  }

  /** {@link readLines}'s loop: one line at a time, no recursion. */
  *#readLoop(reader: StreamReader, liveness: Liveness, task: Task<unknown> | null, admit: () => boolean, bucket: TokenBucket | null): Coro<void> {
    const { priorities } = this.#settings;
    const counters = this.#counters;
    let linesThisStep = 0;
    // An over-long line is dropped by the reader as it comes (none of it
    // held), then answered, and counts as a line of this step.
    const overLong = {
      discardOverLong: (droppedBytes: number): void => {
        liveness.alive(); // A complete line, if a long one.
        linesThisStep++;
        counters.linesReceived++;
        counters.bytesReceived += droppedBytes + 1;
        if (!admit()) {
          counters.droppedLines.flood++;
          return;
        }
        counters.droppedLines.line_too_long++;
        this.send(lineTooLong(MAX_LINE_BYTES));
        this.flushNow();
      },
    };
    while (this.#ended === null) {
      if (reader.buffered === 0) {
        // About to wait for fresh input: presumed a person, urgent again.
        if (task !== null) task.priority = INTERACTIVE_PRIORITY;
        linesThisStep = 0;
      } else if (++linesThisStep > LINE_BATCH) {
        // Why every line, not only messages: blank, dropped, overlong lines
        // and commands cost a step too, and one client's burst of them must
        // not hold the iteration (and everyone's replies) up.
        linesThisStep = 0;
        yield* release();
        if (this.#ended !== null) return;
      }
      let line = reader.bufferedLine();
      if (line === null) {
        // Why wait with fill() first: an idle client then parks one coroutine
        // deep, not nextLine's three (half a KB per idle connection).
        if (reader.buffered === 0 && !(yield* reader.fill())) return; // EOF
        line = reader.bufferedLine() ?? (yield* reader.nextLine(overLong));
        if (line === null) return;
      }
      counters.linesReceived++;
      counters.bytesReceived += line.length + 1; // Its newline too.
      liveness.alive(); // Any complete line, even one flood control drops.
      if (this.#ended !== null) return; // Lines after /quit are not handled.
      if (!admit()) {
        counters.droppedLines.flood++;
        continue;
      }
      const length = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
      if (length > MAX_LINE_BYTES) {
        counters.droppedLines.line_too_long++;
        this.send(lineTooLong(MAX_LINE_BYTES));
        this.flushNow();
        continue;
      }
      const isCommand = line[0] === SLASH && line[1] !== SLASH;
      if (!isCommand && task !== null && task.priority !== MESSAGE_PRIORITY) {
        // Fan-out waits behind the next iteration's urgent steps.
        task.priority = MESSAGE_PRIORITY;
        linesThisStep = 0;
        yield* release();
        if (this.#ended !== null) return;
      }
      const handled = this.#hub.handleLine(this, decodeLine(line));
      // Why wait for a Task: on a shared chat a line is done once it came back
      // from Redis; the next one is read after it (sender order, the reply barrier).
      const tokens = handled instanceof Task ? yield* handled : handled;
      if (tokens !== undefined) bucket?.charge(tokens - 1); // The line's own token is taken already.
      if (isCommand && priorities) this.flushNow();
      if (this.#ended !== null) return; // /quit, or dropped as a slow reader: stop reading now.
    }
  }
}
