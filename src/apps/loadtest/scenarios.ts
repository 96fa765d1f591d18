/**
 * `boucle loadtest --scenario crowd|churn|slow-readers|silent`: attack a chat
 * server as a hostile crowd would, while a *probe pair* (two clients in a
 * room of their own) measures what the crowd costs everyone else.
 *
 * A run: the probe pair joins its room; for `--rest` seconds the probe is
 * measured with no attack; then the attack is set up (its clients connect,
 * unmeasured, except in crowd, where connecting is the attack) and the
 * probe is measured for `--duration` seconds of attack. The probe measures two things, each as
 * p50/p99 of the same run's rest and attack phases:
 * - line: one probe sends a timestamped line every 100 ms (half the flood
 *   limit), the other records send-to-receive time;
 * - welcome: every 500 ms a fresh connection sends `/ping` and times
 *   connect-to-welcome (`/ping` keeps it unannounced, so the probe itself
 *   disturbs no one).
 *
 * The attacks (`--clients N`):
 * - crowd: N clients connect to #lobby (at `--ramp`) and read; reports how
 *   long after the last connect the last one was welcomed.
 * - churn: a room of N readers in which `--churn` members per second leave
 *   and a new one joins.
 * - slow-readers: N members of a room that never read, and `--flooders`
 *   members sending there at the flood limit (20 lines/s, 512-byte bodies).
 * - silent: N connections that never send nor read.
 */
import { cancelAndWait, CancelledError, createTask, Event, getRunningLoop, sleep, timeout, type Coro, type Task } from "../../loop/index.ts";
import { NetError, openConnection, type StreamReader, type StreamWriter } from "../../net/index.ts";
import { ramp } from "./context.ts";
import { LatencyRecorder, type Percentiles } from "./histogram.ts";
import type { LoadtestOptions } from "./options.ts";
import type { Scenario } from "./scenario-options.ts";

/** The probe's line rate: 10 lines/s, half the default flood limit. */
export const PROBE_INTERVAL_MS = 100;
/** How often a fresh connection times its welcome. */
export const WELCOME_PROBE_INTERVAL_MS = 500;
/** Flooders' pace in slow-readers: the default flood limit, 20 lines/s. */
const FLOOD_INTERVAL_MS = 50;
const FLOOD_BODY = "f".repeat(512);
const RECV_BYTES = 64 * 1024;

/** Probe figures of one phase, in ms. */
export interface PhaseFigures {
  line: Percentiles;
  welcome: Percentiles;
}

/** What a scenario run reports (`--json` prints it as it is). */
export interface ScenarioResult {
  scenario: Scenario;
  clients: number;
  rest: PhaseFigures;
  attack: PhaseFigures;
  attackers: {
    connected: number;
    failed: number;
    /** Attackers that got their welcome line (all but silent's, which never read). */
    welcomed: number;
    /** slow-readers: members that never read and that the server dropped (from `/who` at the end), else null. */
    evicted: number | null;
    /** crowd: from the last attacker's connect to the last welcome, once all were welcomed. */
    lastWelcomeAfterLastConnectMs: number | null;
  };
  errors: Record<string, number>;
}

class Phase {
  readonly line = new LatencyRecorder();
  readonly welcome = new LatencyRecorder();

  figures(): PhaseFigures {
    return { line: this.line.percentiles(), welcome: this.welcome.percentiles() };
  }
}

/** Shared by the tasks of one run (one loop, one thread: plain fields). */
class ScenarioRun {
  readonly options: LoadtestOptions;
  readonly rest = new Phase();
  readonly attack = new Phase();
  /** Where the probe's samples go; null while an attack is being set up. */
  phase: Phase | null = this.rest;
  /** Set by an attack once its clients are in place and the attack proper begins. */
  readonly underAttack = new Event();
  readonly errors: Record<string, number> = {};
  connected = 0;
  failed = 0;
  welcomed = 0;
  /** Connections made by the slow readers (the count `/who` is compared with). */
  stalledConnected = 0;
  lastConnectMs = 0;
  lastWelcomeMs = 0;
  /** A tag unique to this run, so its rooms are its own. */
  readonly tag = `${process.pid}x${Math.floor(Math.random() * 1e6)}`;

  constructor(options: LoadtestOptions) {
    this.options = options;
  }

  /** Count a failure; a cancellation (the end of the run) is passed on, not counted. */
  addError(error: unknown): void {
    if (error instanceof CancelledError) throw error;
    const kind = error instanceof NetError ? error.code : error instanceof Error ? error.name : "error";
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /** Connect, within the connect timeout; an attacker's connection is counted. */
  *connect(attacker = true): Coro<[StreamReader, StreamWriter]> {
    const { host, port, connectTimeoutMs } = this.options;
    try {
      const streams = yield* openConnection(host, port, { timeoutMs: connectTimeoutMs });
      if (attacker) {
        this.connected++;
        this.lastConnectMs = performance.now();
      }
      return streams;
    } catch (error) {
      if (attacker) this.failed++;
      throw error;
    }
  }
}

/**
 * Run one scenario on the running loop and return its figures.
 * @example
 * const result = yield* runScenario({ ...options, scenario: "churn" });
 * console.log(result.attack.line.p99 / result.rest.line.p99);
 */
export function* runScenario(options: LoadtestOptions): Coro<ScenarioResult> {
  const scenario = options.scenario!;
  const run = new ScenarioRun(options);
  const probes = yield* startProbes(run);
  const attackers = new Set<Task<void>>();
  let evicted: number | null = null;
  try {
    yield* sleep(options.restMs);
    run.phase = null;
    const attack = createTask(
      (function* () {
        try {
          yield* ATTACKS[scenario](run, attackers);
        } finally {
          run.underAttack.set(); // Why here too: an attack that ends early must not hang the run.
        }
      })(),
    );
    attackers.add(attack);
    yield* run.underAttack.wait();
    run.phase = run.attack;
    yield* sleep(options.durationMs);
    if (scenario === "crowd") yield* waitAllWelcomed(run); // Within the connect timeout.
    if (scenario === "slow-readers") {
      // Why ask the server: the room is quiet, so drops are told as tallies.
      const left = (yield* roomSize(run, slowRoom(run))) - 1 - options.flooders; // Minus the asker.
      evicted = run.stalledConnected - left;
    }
  } finally {
    yield* cancelAndWait(attackers); // Each counted its own errors.
    yield* cancelAndWait(probes);
  }
  const allWelcomed = scenario === "crowd" && run.welcomed === options.clients;
  return {
    scenario,
    clients: options.clients,
    rest: run.rest.figures(),
    attack: run.attack.figures(),
    attackers: {
      connected: run.connected,
      failed: run.failed,
      welcomed: run.welcomed,
      evicted,
      lastWelcomeAfterLastConnectMs: allWelcomed ? Math.max(0, run.lastWelcomeMs - run.lastConnectMs) : null,
    },
    errors: run.errors,
  };
}

/** Members of `room`, by `/who` from a connection that joins it. */
function* roomSize(run: ScenarioRun, room: string): Coro<number> {
  const [reader, writer] = yield* joinRoom(run, room, false);
  try {
    writer.write("/who\n");
    for (let line; (line = yield* reader.nextLine()) !== null; ) {
      const m = /^\* \S+ has (\d+) members?/.exec(line.toString("latin1"));
      if (m) return Number(m[1]);
    }
    throw new Error("the server closed the connection before answering /who");
  } finally {
    writer.abort();
  }
}

function slowRoom(run: ScenarioRun): string {
  return `#slow-${run.tag}`;
}

function* waitAllWelcomed(run: ScenarioRun): Coro<void> {
  const deadline = performance.now() + run.options.connectTimeoutMs;
  while (run.welcomed + run.failed < run.options.clients && performance.now() < deadline) yield* sleep(20);
}

// ---- the probe pair ---------------------------------------------------------

/** Join both probes to their room, then run the line and welcome probes. */
function* startProbes(run: ScenarioRun): Coro<Task<void>[]> {
  const room = `#probe-${run.tag}`;
  const [, sender] = yield* joinRoom(run, room, false);
  const [receiverReader, receiver] = yield* joinRoom(run, room, false);
  return [
    createTask(probeSender(sender)),
    createTask(probeReceiver(run, receiverReader, receiver)),
    createTask(welcomeProbe(run)),
  ];
}

/** Connect, join `room`, and wait for proof the join was handled. */
function* joinRoom(run: ScenarioRun, room: string, attacker: boolean): Coro<[StreamReader, StreamWriter]> {
  const [reader, writer] = yield* run.connect(attacker);
  writer.write(`/join ${room}\n/probe-ready\n`);
  for (;;) {
    const line = yield* reader.nextLine();
    if (line === null) throw new Error("the server closed the probe's connection during set-up");
    if (line.toString("latin1") === "! unknown command /probe-ready (try /help)") return [reader, writer];
  }
}

function* probeSender(writer: StreamWriter): Coro<void> {
  try {
    for (;;) {
      writer.write(`probe ${performance.now().toFixed(3)}\n`);
      writer.flush();
      yield* sleep(PROBE_INTERVAL_MS);
    }
  } finally {
    writer.abort();
  }
}

function* probeReceiver(run: ScenarioRun, reader: StreamReader, writer: StreamWriter): Coro<void> {
  try {
    for (let line; (line = yield* reader.nextLine()) !== null; ) {
      const text = line.toString("latin1");
      const at = text.indexOf("> probe ");
      if (text.startsWith("<") && at > 0) run.phase?.line.record(Math.max(0, performance.now() - Number(text.slice(at + 8))));
    }
  } catch (error) {
    run.addError(error);
  } finally {
    writer.abort();
  }
}

function* welcomeProbe(run: ScenarioRun): Coro<void> {
  const loop = getRunningLoop();
  for (;;) {
    const started = loop.time();
    const phase = run.phase;
    let writer: StreamWriter | null = null;
    try {
      const [reader, w] = yield* run.connect(false);
      writer = w;
      writer.write("/ping\n"); // Never announced: the probe disturbs no one.
      yield* timeout(run.options.connectTimeoutMs, reader.nextLine());
      phase?.welcome.record(loop.time() - started);
    } catch (error) {
      run.addError(error);
    } finally {
      writer?.abort();
    }
    yield* sleep(Math.max(0, WELCOME_PROBE_INTERVAL_MS - (loop.time() - started)));
  }
}

// ---- the attacks ------------------------------------------------------------

type Attack = (run: ScenarioRun, tasks: Set<Task<void>>) => Coro<void>;

const ATTACKS: Record<Scenario, Attack> = {
  *crowd(run, tasks) {
    run.underAttack.set(); // Connecting is the attack.
    yield* ramp(run.options.clients, run.options.rampPerSecond, () => spawn(tasks, reader(run, null)));
  },

  *churn(run, tasks) {
    const room = `#churn-${run.tag}`;
    const members: Task<void>[] = [];
    yield* ramp(run.options.clients, run.options.rampPerSecond, () => members.push(spawn(tasks, reader(run, room))));
    yield* settled(run);
    run.underAttack.set();
    if (run.options.churnPerSecond <= 0) return;
    for (let i = 0; ; i = (i + 1) % members.length) {
      yield* sleep(1000 / run.options.churnPerSecond);
      members[i]!.cancel(); // Leaves (its connection is aborted)...
      tasks.delete(members[i]!);
      members[i] = spawn(tasks, reader(run, room)); // ...and someone new joins.
    }
  },

  *"slow-readers"(run, tasks) {
    const room = slowRoom(run);
    yield* ramp(run.options.clients, run.options.rampPerSecond, () => spawn(tasks, stalled(run, `/join ${room}\n`)));
    yield* settled(run);
    run.underAttack.set();
    for (let i = 0; i < run.options.flooders; i++) spawn(tasks, flooder(run, room));
  },

  *silent(run, tasks) {
    yield* ramp(run.options.clients, run.options.rampPerSecond, () => spawn(tasks, stalled(run, "")));
    yield* settled(run);
    run.underAttack.set();
  },
};

/** Until every attacker connected or failed (within the connect timeout), and one more second for the server to settle. */
function* settled(run: ScenarioRun): Coro<void> {
  const deadline = performance.now() + run.options.connectTimeoutMs;
  while (run.connected + run.failed < run.options.clients && performance.now() < deadline) yield* sleep(20);
  yield* sleep(1000);
}

function spawn(tasks: Set<Task<void>>, coro: Coro<void>): Task<void> {
  const task = createTask(coro);
  tasks.add(task);
  return task;
}

/** Connect, join `room` (or stay in #lobby), take the welcome, then read everything. */
function* reader(run: ScenarioRun, room: string | null): Coro<void> {
  let writer: StreamWriter | null = null;
  try {
    const [reader, w] = yield* run.connect();
    writer = w;
    if (room !== null) writer.write(`/join ${room}\n`);
    if ((yield* reader.nextLine()) === null) return;
    run.welcomed++;
    run.lastWelcomeMs = performance.now();
    while ((yield* reader.read(RECV_BYTES)).length > 0);
  } catch (error) {
    run.addError(error);
  } finally {
    writer?.abort();
  }
}

/** Connect, send `first` (if any), and never read again: a slow reader, or a silent one. */
function* stalled(run: ScenarioRun, first: string): Coro<void> {
  let writer: StreamWriter | null = null;
  try {
    [, writer] = yield* run.connect();
    if (first) {
      writer.write(first);
      run.stalledConnected++;
    }
    yield* writer.waitClosed(); // Until the server drops it, or the run ends.
  } catch (error) {
    run.addError(error);
  } finally {
    writer?.abort();
  }
}

/** Join `room` and send a line every 50 ms (the flood limit) while reading everything. */
function* flooder(run: ScenarioRun, room: string): Coro<void> {
  let writer: StreamWriter | null = null;
  try {
    const [reader, w] = yield* joinRoom(run, room, true);
    writer = w;
    const send = createTask(
      (function* () {
        for (;;) {
          w.write(`${FLOOD_BODY}\n`);
          yield* sleep(FLOOD_INTERVAL_MS);
        }
      })(),
    );
    try {
      while ((yield* reader.read(RECV_BYTES)).length > 0);
    } finally {
      send.cancel();
    }
  } catch (error) {
    run.addError(error);
  } finally {
    writer?.abort();
  }
}
