/**
 * Echo mode: each client sends numbered lines and checks that every byte
 * comes back, in order.
 *
 * Closed loop (`--rate 0`): `--pipeline D` lines in flight per connection
 * (1 = ping-pong); each echo received sends the next line, from the same
 * task and in the same loop iteration, so the loop's write coalescing sends
 * every line a chunk of echoes freed in one system call. Open loop
 * (`--rate R`): a sender task writes on a schedule, whatever is in flight.
 *
 * A line is `<client>:<seq>:` and a filler of letters that shifts with the
 * seq, padded to `--size` bytes. An echoed line that differs from the next
 * expected one in any byte counts as corrupted; lines never echoed, as lost.
 * (A byte stream can't say which line was dropped or duplicated, so echo
 * mode reports those as corrupted too.)
 */
import { cancelAndWait, CancelledError, createTask, currentTask, getRunningLoop, sleepUntilTime, type Coro, type Task } from "../../loop/index.ts";
import { openConnection, WRITE_HIGH_WATER, type StreamReader, type StreamWriter } from "../../net/index.ts";
import { LINE_SLACK, ramp, supervise, type ModeProgress, type RunContext } from "./context.ts";
import { LineSplitter, NumberQueue, type LineSink } from "./lines.ts";
import type { ProgressBar } from "./progress.ts";

/** How much one receive asks for. */
const RECV_BYTES = 64 * 1024;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz";
const STAR = 0x2a;
const SPACE = 0x20;

/** The line (without `\n`) client `id` sends as message `seq`. */
export function echoLine(id: number, seq: number, size: number, filler: string): string {
  const header = `${id}:${seq}:`;
  if (header.length >= size) return header;
  const offset = seq % ALPHABET.length;
  return header + filler.slice(offset, offset + size - header.length);
}

/** The filler echoLine slices: long enough for any offset. */
export function echoFiller(size: number): string {
  return ALPHABET.repeat(Math.ceil(size / ALPHABET.length) + 2);
}

/** One connection's state: what it sent, what it awaits. */
class EchoClient implements LineSink {
  readonly id: number;
  readonly #ctx: RunContext;
  readonly #writer: StreamWriter;
  readonly #filler: string;
  /** Send times of the lines awaiting their echo, oldest first. */
  readonly inFlight: NumberQueue;
  readonly #closedLoop: boolean;
  nextSend = 0;
  nextReceive = 0;
  /** The run's clock for the chunk being parsed: one clock read per chunk, not per line. */
  nowMs = 0;

  constructor(id: number, ctx: RunContext, writer: StreamWriter, filler: string) {
    this.id = id;
    this.#ctx = ctx;
    this.#writer = writer;
    this.#filler = filler;
    this.#closedLoop = ctx.options.rate === 0;
    this.inFlight = new NumberQueue(ctx.options.pipeline);
  }

  /**
   * Send one line now if the run allows, its latency counted from
   * `stampMs`; false when this client is done sending.
   */
  sendOne(nowMs: number, stampMs = nowMs): boolean {
    if (!this.#ctx.maySend(this.nextSend, nowMs)) return false;
    this.#writer.write(echoLine(this.id, this.nextSend++, this.#ctx.options.size, this.#filler) + "\n");
    this.inFlight.push(stampMs);
    this.#ctx.stats.sent++;
    return true;
  }

  line(buf: Buffer, start: number, end: number): void {
    const stats = this.#ctx.stats;
    const sentAt = this.inFlight.shift();
    stats.received++;
    if (Number.isNaN(sentAt)) {
      stats.corrupted++; // Why: a line nobody sent (the server made it up or doubled one).
      return;
    }
    const first = this.nextReceive === 0;
    const expected = echoLine(this.id, this.nextReceive++, this.#ctx.options.size, this.#filler);
    if (!sameBytes(buf, start, end, expected)) {
      stats.corrupted++;
      // Why: a chat server's first line is its "* welcome" notice; say so rather than only "corrupted".
      if (first && buf[start] === STAR && buf[start + 1] === SPACE) stats.addError("chat-greeting");
    }
    else {
      if (this.nowMs >= stats.measureStartMs) {
        stats.measuredReceived++;
        stats.measuredBytes += end - start + 1;
      }
      if (sentAt >= stats.measureStartMs) stats.latency.record(Math.max(0, this.nowMs - sentAt));
    }
    stats.lastReceiveMs = this.nowMs;
    if (this.#closedLoop) this.sendOne(this.nowMs);
  }
}

function sameBytes(buf: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Receive echoes until nothing is in flight and `doneSending()`. */
function* receiveEchoes(client: EchoClient, reader: StreamReader, writer: StreamWriter, ctx: RunContext, doneSending: () => boolean): Coro<void> {
  const splitter = new LineSplitter(ctx.options.size + LINE_SLACK);
  while (client.inFlight.size > 0 || !doneSending()) {
    const chunk = yield* reader.read(RECV_BYTES);
    if (chunk.length === 0) {
      ctx.stats.addError("eof"); // The server closed while we still expected echoes.
      return;
    }
    client.nowMs = ctx.now();
    splitter.push(chunk, client);
    if (writer.bufferedBytes() > WRITE_HIGH_WATER) yield* writer.drain();
  }
}

/** Open loop: send on schedule, `rate` lines/s, from a random phase so clients don't fire together; a late sender catches up. */
function* sendOnSchedule(client: EchoClient, writer: StreamWriter, ctx: RunContext): Coro<void> {
  const intervalMs = 1000 / ctx.options.rate;
  const t0 = ctx.startMs + Math.random() * intervalMs;
  for (;;) {
    yield* sleepUntilTime(t0 + client.nextSend * intervalMs);
    const now = ctx.now();
    // Stamped with the scheduled time: falling behind shows in the latency (no coordinated omission).
    do if (!client.sendOne(now, Math.min(now, t0 + client.nextSend * intervalMs))) return;
    while (t0 + client.nextSend * intervalMs <= now);
    if (writer.bufferedBytes() > WRITE_HIGH_WATER) yield* writer.drain();
  }
}

function* echoClient(id: number, ctx: RunContext, filler: string, attempted: () => void): Coro<void> {
  const { options, stats } = ctx;
  const t0 = ctx.now();
  let reader: StreamReader;
  let writer: StreamWriter;
  try {
    const target = options.targets[id % options.targets.length]!;
    [reader, writer] = yield* openConnection(target.host, target.port, { timeoutMs: options.connectTimeoutMs, tls: options.tls });
  } catch (error) {
    if (!(error instanceof CancelledError)) stats.addFailure(error);
    attempted();
    return;
  }
  stats.connect.record(ctx.now() - t0);
  stats.connected++;
  attempted();
  const client = new EchoClient(id, ctx, writer, filler);
  let sender: Task<void> | null = null;
  try {
    yield* ctx.started.wait();
    if (options.rate === 0) {
      const now = ctx.now();
      for (let i = 0; i < options.pipeline && client.sendOne(now); i++);
      yield* receiveEchoes(client, reader, writer, ctx, () => true);
    } else {
      let senderDone = false;
      const task = createTask(sendOnSchedule(client, writer, ctx), { name: `echo sender ${id}` });
      const receiving = currentTask()!;
      task.addDoneCallback(() => {
        senderDone = true;
        // Why: with nothing in flight the receiver is parked in read() for good.
        if (client.inFlight.size === 0) receiving.cancel();
      });
      sender = task;
      yield* receiveEchoes(client, reader, writer, ctx, () => senderDone);
    }
  } catch (error) {
    if (!(error instanceof CancelledError)) stats.addFailure(error);
  } finally {
    if (sender !== null) for (const error of yield* cancelAndWait([sender])) stats.addFailure(error);
    writer.close();
  }
}

/** Run echo mode; returns what was expected back and what never came. */
export function* runEcho(ctx: RunContext, bar: ProgressBar | null): Coro<{ expected: number; lost: number }> {
  const { options, stats } = ctx;
  const filler = echoFiller(options.size);
  const tasks = new Set<Task<void>>();
  let attempts = 0;
  const attempted = (): void => {
    if (++attempts === options.clients) ctx.start();
  };
  const loop = getRunningLoop();
  yield* ramp(options.clients, options.rampPerSecond, (i) => {
    const task = loop.createTask(echoClient(i, ctx, filler, attempted), { name: `echo client ${i}` });
    tasks.add(task);
    task.addDoneCallback(() => tasks.delete(task));
  });
  const progress: ModeProgress = {
    outstanding: () => stats.sent - stats.received,
    plannedReceives: () => (options.messages === null ? undefined : options.messages * options.clients),
  };
  const finished = yield* supervise(ctx, progress, bar, () => attempts === options.clients && tasks.size === 0);
  if (!finished) {
    ctx.stopping = true;
    stats.addError("drain-timeout");
  }
  for (const error of yield* cancelAndWait(tasks)) stats.addFailure(error);
  return { expected: stats.sent, lost: Math.max(0, stats.sent - stats.received) };
}
