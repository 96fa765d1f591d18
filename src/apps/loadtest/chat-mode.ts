/**
 * Chat mode: N clients in one room, each sending M numbered messages that
 * every other member must receive, each exactly once and in order.
 *
 * Setup, per client: connect, read the welcome, then send
 * `/join #room`, `/nick lt<i>` and the unknown command `/loadtest-ready`.
 * Its `! unknown command /loadtest-ready` reply proves the join and the nick
 * were processed (replies are ordered: docs/PROTOCOL.md). The barrier: no
 * client sends a message before every client got that reply, so every
 * message reaches the whole room and `expected = sent x (N - 1)`.
 *
 * Sending: closed loop (`--rate 0`), a sender may have `--pipeline W`
 * messages not yet delivered to every other member (the receivers are in
 * this process, so that is known exactly); open loop (`--rate R`), on a
 * schedule. Each message carries its sender, seq and send time
 * (chat-payload.ts); every receiver checks each sender's sequence
 * (SequenceChecker) and the body's every byte.
 *
 * End: when every expected delivery arrived, or when none arrived for
 * `--drain-timeout` (the rest count as lost).
 */
import { cancelAndWait, CancelledError, Future, getRunningLoop, sleepUntilTime, type Coro, type Task } from "../../loop/index.ts";
import { openConnection, WRITE_HIGH_WATER, type StreamReader, type StreamWriter } from "../../net/index.ts";
import { decodeChatPayloadBytes, emptyDecodedPayload, encodeChatPayload, encodedSize } from "./chat-payload.ts";
import { LINE_SLACK, ramp, supervise, type ModeProgress, type RunContext } from "./context.ts";
import { LineSplitter, type LineSink } from "./lines.ts";
import type { ProgressBar } from "./progress.ts";
import { OrderChecker } from "./order-checker.ts";
import { SequenceChecker } from "./sequence-checker.ts";

const RECV_BYTES = 64 * 1024;
/** The command whose `! unknown command` reply marks a client as set up. */
export const READY_COMMAND = "/loadtest-ready";
const READY_REPLY = Buffer.from(`! unknown command ${READY_COMMAND}`);
const LT = 0x3c; // "<": a room message
const STAR = 0x2a; // "*": a notice
const BANG = 0x21; // "!": an error for us

/** Shared by every client of the run. */
class ChatRun {
  readonly ctx: RunContext;
  readonly checker: SequenceChecker;
  /** With several servers (`--targets`): does every receiver see one order? */
  readonly order: OrderChecker | null;
  readonly members: ChatMember[] = [];
  /** Ready members (joined, named), by id; fixed at the barrier. */
  participants: ChatMember[] = [];
  /** Members that have finished setting up, or failed to. */
  settled = 0;
  ready = 0;
  /** Woken when `settled` changes, for the barrier. */
  settledChanged: Future<void> | null = null;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    this.checker = new SequenceChecker(ctx.options.clients, ctx.options.clients);
    this.order = ctx.options.targets.length > 1 ? new OrderChecker(ctx.options.clients) : null;
  }

  settle(member: ChatMember, ready: boolean): void {
    if (member.settled) return;
    member.settled = true;
    this.settled++;
    if (ready) this.ready++;
    const wake = this.settledChanged;
    this.settledChanged = null;
    if (wake !== null && !wake.done()) wake.setResult();
  }

  /** Distinct deliveries expected so far: every message to every other participant. */
  expected(): number {
    return this.ctx.stats.sent * Math.max(0, this.participants.length - 1);
  }
}

/** One client: its connection, its receive path and, after the barrier, its sending window. */
class ChatMember implements LineSink {
  readonly id: number;
  readonly #run: ChatRun;
  readonly #decoded = emptyDecodedPayload();
  writer: StreamWriter | null = null;
  welcomed = false;
  settled = false;
  isReady = false;
  /** Ready at the barrier: its messages are expected by, and its receptions count for, everyone else. */
  participant = false;
  connectStartMs = 0;
  nowMs = 0;
  // ---- sending (closed loop) ----
  sent = 0;
  /** Every message below this seq reached every other participant. */
  acked = 0;
  /** Deliveries so far of each message in the window, by seq % window. */
  readonly deliveries: Uint32Array;
  windowOpen: Future<void> | null = null;

  constructor(id: number, run: ChatRun) {
    this.id = id;
    this.#run = run;
    this.deliveries = new Uint32Array(run.ctx.options.pipeline);
  }

  line(buf: Buffer, start: number, end: number): void {
    const first = buf[start];
    if (first === LT) this.#message(buf, start, end);
    else if (first === STAR) this.#notice();
    else if (first === BANG) this.#error(buf, start, end);
    else if (end > start) this.#run.ctx.stats.addError("unexpected-line");
  }

  #message(buf: Buffer, start: number, end: number): void {
    const run = this.#run;
    const stats = run.ctx.stats;
    if (!this.participant) return; // Why: a straggler that missed the barrier is nobody's receiver.
    stats.received++;
    stats.lastReceiveMs = this.nowMs;
    // "<nick> body": the nick is at most 24 bytes, so look for "> " nearby only.
    let gt = start + 1;
    const limit = Math.min(end - 1, start + 32);
    while (gt < limit && buf[gt] !== 0x3e) gt++;
    const out = this.#decoded;
    if (
      buf[gt] !== 0x3e ||
      buf[gt + 1] !== 0x20 ||
      !decodeChatPayloadBytes(buf, gt + 2, end, out) ||
      out.size !== encodedSize(out.headerSize, run.ctx.options.size) ||
      out.senderId >= run.members.length ||
      run.members[out.senderId]?.participant !== true
    ) {
      stats.corrupted++;
      return;
    }
    if (out.senderId === this.id) {
      stats.addError("own-message-returned"); // The protocol: you don't get your own messages back.
      return;
    }
    if (run.checker.check(this.id, out.senderId, out.seq) === "duplicate") return;
    run.order?.record(this.id, out.senderId, out.seq);
    run.members[out.senderId]!.delivered(out.seq);
    if (this.nowMs >= stats.measureStartMs) {
      stats.measuredReceived++;
      stats.measuredBytes += end - start + 1;
    }
    if (out.sentAtMs >= stats.measureStartMs) {
      const latency = Math.max(0, this.nowMs - out.sentAtMs);
      stats.latency.record(latency);
      const servers = run.ctx.options.targets.length;
      if (servers > 1) (this.id % servers === out.senderId % servers ? stats.latencySameServer : stats.latencyCrossServer).record(latency);
    }
  }

  #notice(): void {
    if (this.welcomed) return; // joins, leaves, nick changes: not ours to check
    this.welcomed = true;
    const { stats, options } = this.#run.ctx;
    stats.connect.record(this.#run.ctx.now() - this.connectStartMs);
    stats.connected++;
    this.writer!.write(`/join ${options.room}\n/nick lt${this.id}\n${READY_COMMAND}\n`);
  }

  #error(buf: Buffer, start: number, end: number): void {
    if (!this.isReady && end - start >= READY_REPLY.length && buf.compare(READY_REPLY, 0, READY_REPLY.length, start, start + READY_REPLY.length) === 0) {
      this.isReady = true;
      this.#run.settle(this, true);
      return;
    }
    this.#run.ctx.stats.addError(serverErrorKind(buf.toString("utf8", start, end)));
  }

  /** A distinct delivery of this member's message `seq` to another participant. */
  delivered(seq: number): void {
    const window = this.deliveries.length;
    const others = this.#run.participants.length - 1;
    this.deliveries[seq % window]!++;
    while (this.acked < this.sent && this.deliveries[this.acked % window] === others) {
      this.deliveries[this.acked % window] = 0;
      this.acked++;
    }
    const wake = this.windowOpen;
    if (wake !== null && this.sent - this.acked < window) {
      this.windowOpen = null;
      wake.setResult();
    }
  }

  /** Write message `sent` now. */
  sendOne(nowMs: number): void {
    const { options, stats } = this.#run.ctx;
    this.writer!.write(encodeChatPayload({ senderId: this.id, seq: this.sent++, sentAtMs: nowMs, size: options.size }) + "\n");
    stats.sent++;
  }
}

/** An error line's kind, for the errors table. */
export function serverErrorKind(line: string): string {
  if (line.startsWith("! slow down")) return "server-flood-limit";
  if (line.startsWith("! nickname")) return "nick-refused";
  if (line.startsWith("! line too long")) return "server-line-too-long";
  if (line.startsWith("! server full")) return "server-full";
  return "server-error-line";
}

/** Closed loop: keep `pipeline` messages undelivered at most. */
function* sendWindowed(member: ChatMember, ctx: RunContext): Coro<void> {
  const window = ctx.options.pipeline;
  const writer = member.writer!;
  for (;;) {
    while (member.sent - member.acked >= window) {
      member.windowOpen = new Future<void>();
      yield* member.windowOpen;
    }
    const now = ctx.now();
    if (!ctx.maySend(member.sent, now)) return;
    do member.sendOne(now);
    while (member.sent - member.acked < window && ctx.maySend(member.sent, now));
    if (writer.bufferedBytes() > WRITE_HIGH_WATER) yield* writer.drain();
  }
}

/**
 * Open loop: `rate` messages/s from a random phase; a late sender catches
 * up at once, each message stamped with its scheduled time.
 */
function* sendOnSchedule(member: ChatMember, ctx: RunContext): Coro<void> {
  const intervalMs = 1000 / ctx.options.rate;
  const t0 = ctx.startMs + Math.random() * intervalMs;
  const writer = member.writer!;
  for (;;) {
    yield* sleepUntilTime(t0 + member.sent * intervalMs);
    const now = ctx.now();
    if (!ctx.maySend(member.sent, now)) return;
    // Why the scheduled time, not now: a sender that fell behind (a slow
    // server, a busy client) must show it in the latency, not hide it
    // (no coordinated omission).
    do member.sendOne(Math.min(now, t0 + member.sent * intervalMs));
    while (t0 + member.sent * intervalMs <= now && ctx.maySend(member.sent, now));
    if (writer.bufferedBytes() > WRITE_HIGH_WATER) yield* writer.drain();
  }
}

/** A client's task: connect, then receive until cancelled at the end of the run. */
function* chatClient(member: ChatMember, run: ChatRun): Coro<void> {
  const { options, stats } = run.ctx;
  member.connectStartMs = run.ctx.now();
  let reader: StreamReader;
  try {
    // Why round robin: with --targets the clients are spread evenly over the servers.
    const target = options.targets[member.id % options.targets.length]!;
    [reader, member.writer] = yield* openConnection(target.host, target.port, { timeoutMs: options.connectTimeoutMs, tls: options.tls });
  } catch (error) {
    if (!(error instanceof CancelledError)) stats.addFailure(error);
    run.settle(member, false);
    return;
  }
  const splitter = new LineSplitter(options.size + LINE_SLACK);
  try {
    for (;;) {
      const chunk = yield* reader.read(RECV_BYTES);
      if (chunk.length === 0) {
        stats.addError("eof"); // The server closed us before the end of the run.
        return;
      }
      member.nowMs = run.ctx.now();
      splitter.push(chunk, member);
    }
  } catch (error) {
    if (!(error instanceof CancelledError)) stats.addFailure(error);
  } finally {
    run.settle(member, false);
    member.writer.close();
  }
}

/** Run chat mode; returns the deliveries expected and those that never came. */
export function* runChat(ctx: RunContext, bar: ProgressBar | null): Coro<{ expected: number; lost: number }> {
  const { options, stats } = ctx;
  const run = new ChatRun(ctx);
  const loop = getRunningLoop();
  const receivers = new Set<Task<void>>();
  yield* ramp(options.clients, options.rampPerSecond, (i) => {
    const member = new ChatMember(i, run);
    run.members.push(member);
    receivers.add(loop.createTask(chatClient(member, run), { name: `chat client ${i}` }));
  });

  // The barrier: wait until every client is ready or failed; give up on
  // the stragglers when none settles for the connect timeout.
  while (run.settled < options.clients) {
    const before = run.settled;
    const change = (run.settledChanged = new Future<void>());
    const timer = loop.callLater(options.connectTimeoutMs, () => {
      if (!change.done()) change.setResult();
    });
    yield* change;
    timer.cancel();
    if (run.settled === before) {
      for (const member of run.members) {
        if (member.settled) continue;
        stats.addError(member.welcomed ? "setup-timeout" : "welcome-timeout");
        run.settle(member, false);
      }
    }
  }
  run.participants = run.members.filter((m) => m.isReady);
  for (const member of run.participants) member.participant = true;
  // `connected` counts the clients that joined the room and took part.
  stats.connected = run.participants.length;

  const senders = new Set<Task<void>>();
  ctx.start();
  if (run.participants.length >= 2) {
    for (const member of run.participants) {
      const body = options.rate > 0 ? sendOnSchedule(member, ctx) : sendWindowed(member, ctx);
      const task = loop.createTask(body, { name: `chat sender ${member.id}` });
      senders.add(task);
      task.addDoneCallback((t) => {
        senders.delete(task);
        if (t.failed()) stats.addFailure(t.exception());
      });
    }
  }
  const progress: ModeProgress = {
    outstanding: () => run.expected() - run.checker.distinct,
    plannedReceives: () =>
      options.messages === null ? undefined : options.messages * run.participants.length * Math.max(0, run.participants.length - 1),
  };
  const finished = yield* supervise(ctx, progress, bar, () => senders.size === 0 && run.checker.distinct >= run.expected());
  if (!finished) {
    ctx.stopping = true;
    stats.addError("drain-timeout");
  }
  yield* cancelAndWait(senders); // Their failures were counted as they happened (addDoneCallback above).
  for (const error of yield* cancelAndWait(receivers)) stats.addFailure(error);
  const differing = run.order?.differing(run.participants.map((m) => m.id)) ?? [];
  for (let i = 0; i < differing.length; i++) stats.addError("order-differs-between-receivers");
  stats.duplicated = run.checker.duplicated;
  stats.reordered = run.checker.reordered;
  const expected = run.expected();
  return { expected, lost: run.checker.lost(expected) };
}
