/**
 * `npm run bench`: boucle's loop against native async/await, same process,
 * same workloads, side by side.
 *
 * Rows:
 * - task switches per second, for 1, 100 and 10 000 tasks each looping on
 *   `yield* release()` and on a bare `yield`, vs async functions looping on
 *   `await null` (creation of the tasks included, about 1 M switches a trial);
 * - for reference (no bar), the same coroutines resumed by a plain `next()`
 *   loop with no scheduler: the generator's own cost, the floor of any
 *   generator-based loop;
 * - a future ping-pong between two tasks (each round: one creates a future,
 *   the other resolves it) vs the same with Promises and their resolvers;
 * - 100 000 concurrent `sleep(1)` tasks: time until all are done, and heap
 *   per sleeping task, vs async functions awaiting a `setTimeout(1)` Promise;
 * - memory per idle task: 100 000 tasks each parked on its own
 *   never-resolved future, minus an empty generator object measured the same
 *   way, vs async functions awaiting a never-settled Promise.
 *
 * Each case is warmed up, then run several trials interleaved with its
 * native twin; the median is reported. Times are CPU time (see cpuMs).
 * Memory rows need `--expose-gc` (the npm script passes it).
 *
 * Every other row has a bar (issue 13): at least native everywhere; the switch
 * rows at least 1.5x `await null`; the ping-pong at least the Promise
 * hand-off; the sleeps no slower and no bigger than setTimeout; an idle task
 * no bigger than an async function. The run prints each ratio against its
 * bar, a Markdown table ready for the README, and exits 1 if a bar is missed.
 */
import { EventLoop, release, sleep, type Coro, type Future } from "../dist/src/loop/index.js";
import { RESUMED } from "../dist/src/loop/types.js";
import { canCollect, environment, heapAfterGc, interleaved, si, table } from "./lib/measure.ts";

/**
 * The process's CPU time (user + system), in ms: what each case is timed
 * with. Why not the wall clock: on a machine shared with other work it also
 * counts the time other processes held the core (ratios then swung from
 * 0.4x to 0.8x between runs here); on a quiet machine the two agree.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const TRIALS = 7;
const WARMUP = 2;
/** Switches per trial for the switching rows: long enough to dwarf timer noise (~100 ms). */
const SWITCHES = 1_000_000;
const PING_PONG_ROUNDS = 200_000;
const SLEEPERS = 100_000;
const IDLE_TASKS = 100_000;

// ---- task switching -------------------------------------------------------------

function* spinRelease(n: number): Coro<void> {
  for (let i = 0; i < n; i++) yield* release();
}

function* spinBare(n: number): Coro<void> {
  for (let i = 0; i < n; i++) yield;
}

async function spinAwait(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

/**
 * The loop the throughput rows run on, as a program runs on one loop.
 * Why not a fresh loop per trial: with a full GC between trials (which the
 * harness forces), every dead loop makes V8 throw away the scheduler's
 * optimised code, and the trials measure re-optimisation, not the loop:
 * 1-task switching drops from ~20 to ~6 M/s that way (seen on Node 20.20).
 */
const sharedLoop = new EventLoop();

/**
 * What a running program always has alive on its loop: a task parked on a
 * future, and a sleep's timer future (armed, then cancelled, so no timer is
 * pending). Why: V8 drops a class's hidden class once its last instance
 * dies, and with it the optimised code built on it (`--trace-deopt` after
 * each full GC: "weak objects", "wrong map"). Without these, every trial
 * starts with all Tasks and Futures dead and measures re-optimisation:
 * ping-pong ran at half speed that way (0.5x instead of 1.0x, Node 20.20).
 */
const residents: unknown[] = [];
await sharedLoop.runUntilComplete(
  (function* (): Coro<void> {
    const forever = sharedLoop.createFuture<void>();
    residents.push(forever, sharedLoop.createTask(idle(forever)));
    const nap = sleep(1e9);
    residents.push(nap, nap.next().value); // The sleep and its timer future, armed...
    nap.return(); // ...and cancelled: the loop has no pending timer.
    yield* release(); // The parked task takes its first step.
  })(),
);

// Why the coroutines are module-level functions, not closures made per
// trial: as in a program, where coroutine functions live as long as it does.
// A closure made per trial gives every trial's generators a new hidden class,
// and the first trials measure V8 re-optimising for them.

function* spawnAndJoin(body: (n: number) => Coro<void>, tasks: number, perTask: number): Coro<void> {
  const all: Future<void>[] = [];
  for (let i = 0; i < tasks; i++) all.push(sharedLoop.createTask(body(perTask)));
  for (const task of all) yield* task;
}

/** Milliseconds for `tasks` tasks doing `perTask` switches each. */
async function boucleSwitches(body: (n: number) => Coro<void>, tasks: number, perTask: number): Promise<number> {
  const start = cpuMs();
  await sharedLoop.runUntilComplete(spawnAndJoin(body, tasks, perTask));
  return cpuMs() - start;
}

/**
 * The floor under every switch row: the same coroutine resumed by a plain
 * `next()` loop, no scheduler at all (what the generator itself costs).
 */
function plainSwitches(body: (n: number) => Coro<void>, perTask: number): number {
  const start = cpuMs();
  const coro = body(perTask);
  while (coro.next(RESUMED).done !== true);
  return cpuMs() - start;
}

async function nativeSwitches(tasks: number, perTask: number): Promise<number> {
  const start = cpuMs();
  const all: Promise<void>[] = [];
  for (let i = 0; i < tasks; i++) all.push(spinAwait(perTask));
  await Promise.all(all);
  return cpuMs() - start;
}

// ---- ping-pong --------------------------------------------------------------------

/** The future the other player waits on (each round: create mine, resolve theirs). */
let pingPending: Future<void> | null = null;

function* player(rounds: number): Coro<void> {
  for (let i = 0; i < rounds; i++) {
    const mine = sharedLoop.createFuture<void>();
    const theirs = pingPending;
    pingPending = mine;
    theirs?.setResult();
    yield* mine;
  }
  if (pingPending !== null && !pingPending.done()) pingPending.setResult();
}

function* twoPlayers(rounds: number): Coro<void> {
  const a = sharedLoop.createTask(player(rounds));
  const b = sharedLoop.createTask(player(rounds));
  yield* a;
  yield* b;
}

async function bouclePingPong(rounds: number): Promise<number> {
  pingPending = null;
  const start = cpuMs();
  await sharedLoop.runUntilComplete(twoPlayers(rounds));
  return cpuMs() - start;
}

let nativePending: (() => void) | null = null;

async function nativePlayer(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    let mine!: () => void;
    const promise = new Promise<void>((resolve) => (mine = resolve));
    const theirs = nativePending;
    nativePending = mine;
    theirs?.();
    await promise;
  }
  nativePending?.();
}

async function nativePingPong(rounds: number): Promise<number> {
  nativePending = null;
  const start = cpuMs();
  await Promise.all([nativePlayer(rounds), nativePlayer(rounds)]);
  return cpuMs() - start;
}

// ---- 100 000 sleeps ------------------------------------------------------------------

function* sleeper(): Coro<void> {
  yield* sleep(1);
}

async function sleepUntilResolved(): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 1));
}

/** Start `n` sleepers, let them all fall asleep, then join them; returns heap bytes per sleeper if `heapBefore` is given. */
function* sleepAll(all: Future<void>[], n: number, heapBefore: number | null): Coro<number> {
  for (let i = 0; i < n; i++) all[i] = sharedLoop.createTask(sleeper());
  yield* release(); // Why: the tasks' first steps run before us in this iteration: all are asleep now.
  const perTask = heapBefore === null ? 0 : (heapAfterGc() - heapBefore) / n;
  for (const task of all) yield* task;
  return perTask;
}

/** Milliseconds until all `n` sleepers are done; with `measure`, heap bytes per sleeper instead. */
async function boucleSleeps(n: number, measure = false): Promise<number> {
  const all: Future<void>[] = new Array<Future<void>>(n).fill(null as never);
  const before = measure ? heapAfterGc() : null;
  const start = cpuMs();
  const perTask = await sharedLoop.runUntilComplete(sleepAll(all, n, before));
  const ms = cpuMs() - start;
  return measure ? perTask : ms;
}

async function nativeSleeps(n: number, measure = false): Promise<number> {
  const all: Promise<void>[] = new Array<Promise<void>>(n).fill(null as never);
  const before = measure ? heapAfterGc() : 0;
  const start = cpuMs();
  for (let i = 0; i < n; i++) all[i] = sleepUntilResolved();
  const perTask = measure ? (heapAfterGc() - before) / n : 0;
  await Promise.all(all);
  const ms = cpuMs() - start;
  return measure ? perTask : ms;
}

// ---- idle tasks ------------------------------------------------------------------------

function* idle(future: Future<void>): Coro<void> {
  yield* future;
}

function* empty(): Coro<void> {}

async function idleAsync(promise: Promise<void>): Promise<void> {
  await promise;
}

/** Heap bytes per task parked on its own never-resolved future (the future, Set entry, etc. included). */
async function boucleIdleBytes(n: number): Promise<number> {
  const loop = new EventLoop();
  const hold: unknown[] = new Array<unknown>(n).fill(null);
  let perTask = 0;
  await loop.runUntilComplete(
    (function* (): Coro<void> {
      const before = heapAfterGc();
      for (let i = 0; i < n; i++) hold[i] = loop.createTask(idle(loop.createFuture<void>()));
      yield* release(); // All have taken their first step and are parked now.
      perTask = (heapAfterGc() - before) / n;
    })(),
  );
  loop.close();
  hold.length = 0;
  return perTask;
}

/** Heap bytes per empty generator object (`(function* () {})()`, never started). */
function emptyGeneratorBytes(n: number): number {
  const hold: unknown[] = new Array<unknown>(n).fill(null);
  const before = heapAfterGc();
  for (let i = 0; i < n; i++) hold[i] = empty();
  const perObject = (heapAfterGc() - before) / n;
  hold.length = 0;
  return perObject;
}

/**
 * Heap bytes per async function parked on its own never-settled Promise.
 * Why hold the awaited Promise too: nothing else references it (or the
 * suspended function, which only its reaction references), so the GC would
 * otherwise collect both and report almost nothing. boucle's loop holds its
 * tasks (and they their futures), so both sides keep their waiters alive.
 */
function nativeIdleBytes(n: number): number {
  const hold: unknown[] = new Array<unknown>(n).fill(null);
  const holdAwaited: unknown[] = new Array<unknown>(n).fill(null);
  const before = heapAfterGc();
  for (let i = 0; i < n; i++) {
    const never = new Promise<void>(() => {});
    holdAwaited[i] = never;
    hold[i] = idleAsync(never);
  }
  const perTask = (heapAfterGc() - before) / n;
  hold.length = 0;
  holdAwaited.length = 0;
  return perTask;
}

// ---- the run ---------------------------------------------------------------------------

type Better = "higher" | "lower";
interface Row {
  name: string;
  boucle: string;
  native: string;
  /** boucle / native. */
  ratio: number;
  better: Better;
  /** The ratio to reach: at least this when higher is better, at most when lower is; null for a reference row. */
  bar: number | null;
}

const rows: Row[] = [];
const print = (line: string): void => void process.stdout.write(`${line}\n`);

function row(name: string, boucle: number, native: number, unit: (v: number) => string, better: Better, bar: number | null): void {
  rows.push({ name, boucle: unit(boucle), native: unit(native), ratio: boucle / native, better, bar });
  process.stderr.write(`  ${name}: ${unit(boucle)} vs ${unit(native)} (${(boucle / native).toFixed(2)}x)\n`);
}

function met(r: Row): boolean {
  if (r.bar === null) return true;
  return r.better === "higher" ? r.ratio >= r.bar : r.ratio <= r.bar;
}

const perSecond = (v: number): string => `${si(v)}/s`;
const millis = (v: number): string => `${v.toFixed(1)} ms`;
const bytes = (v: number): string => `${v.toFixed(0)} B`;

/**
 * `--profile=<case>`: run one boucle workload alone for about 3 s, for
 * `node --cpu-prof --import tsx bench/loop.bench.ts --profile=switch-100`;
 * then `npx tsx bench/lib/cpuprofile-summary.ts CPU.*.cpuprofile`.
 */
const PROFILES: Record<string, () => Promise<number>> = {
  "switch-1": () => boucleSwitches(spinRelease, 1, SWITCHES),
  "switch-bare-1": () => boucleSwitches(spinBare, 1, SWITCHES),
  "switch-100": () => boucleSwitches(spinRelease, 100, SWITCHES / 100),
  "switch-bare-100": () => boucleSwitches(spinBare, 100, SWITCHES / 100),
  "switch-10000": () => boucleSwitches(spinRelease, 10_000, SWITCHES / 10_000),
  "ping-pong": () => bouclePingPong(PING_PONG_ROUNDS),
  sleeps: () => boucleSleeps(SLEEPERS),
};

async function profile(name: string): Promise<void> {
  const run = PROFILES[name];
  if (run === undefined) throw new Error(`unknown profile case ${name}; one of: ${Object.keys(PROFILES).join(", ")}`);
  const end = performance.now() + 3000;
  let runs = 0;
  while (performance.now() < end) {
    await run();
    runs++;
  }
  print(`profiled ${name}: ${runs} runs`);
}

/** Bars (issue 13): switching at 1.5x `await null`, every other row at native. */
const SWITCH_BAR = 1.5;
const NATIVE_BAR = 1;

async function main(): Promise<void> {
  const profileArg = process.argv.find((arg) => arg.startsWith("--profile="));
  if (profileArg !== undefined) return profile(profileArg.slice("--profile=".length));
  const benchStart = performance.now();
  process.stderr.write("boucle bench: running (about a minute)...\n");

  for (const tasks of [1, 100, 10_000]) {
    const perTask = SWITCHES / tasks;
    const total = tasks * perTask;
    for (const [label, body] of [
      ["yield* release()", spinRelease],
      ["bare yield", spinBare],
    ] as const) {
      const [boucleMs, nativeMs] = await interleaved(
        [() => boucleSwitches(body, tasks, perTask), () => nativeSwitches(tasks, perTask)],
        { warmup: WARMUP, trials: TRIALS },
      );
      const name = `switches, ${tasks.toLocaleString("en")} task${tasks > 1 ? "s" : ""}, ${label} vs await null`;
      row(name, (total / boucleMs!) * 1000, (total / nativeMs!) * 1000, perSecond, "higher", SWITCH_BAR);
    }
  }
  for (const [label, body] of [
    ["yield* release()", spinRelease],
    ["bare yield", spinBare],
  ] as const) {
    const [plainMs, nativeMs] = await interleaved([() => plainSwitches(body, SWITCHES), () => nativeSwitches(1, SWITCHES)], {
      warmup: WARMUP,
      trials: TRIALS,
    });
    const name = `reference: ${label} resumed by a plain next() loop, no scheduler, vs await null`;
    row(name, (SWITCHES / plainMs!) * 1000, (SWITCHES / nativeMs!) * 1000, perSecond, "higher", null);
  }

  const [pingMs, promiseMs] = await interleaved(
    [() => bouclePingPong(PING_PONG_ROUNDS), () => nativePingPong(PING_PONG_ROUNDS)],
    { warmup: WARMUP, trials: TRIALS },
  );
  row(
    "future ping-pong, handoffs/s (create, other resolves) vs Promise",
    (PING_PONG_ROUNDS * 2 * 1000) / pingMs!,
    (PING_PONG_ROUNDS * 2 * 1000) / promiseMs!,
    perSecond,
    "higher",
    NATIVE_BAR,
  );

  const [sleepMs, timeoutMs] = await interleaved([() => boucleSleeps(SLEEPERS), () => nativeSleeps(SLEEPERS)], {
    warmup: 1,
    trials: 5,
  });
  const sleepers = SLEEPERS.toLocaleString("en");
  row(`${sleepers} concurrent sleep(1): CPU time to all done vs setTimeout`, sleepMs!, timeoutMs!, millis, "lower", NATIVE_BAR);

  const notes: string[] = [];
  if (canCollect) {
    const [sleepBytes, timeoutBytes] = await interleaved(
      [() => boucleSleeps(SLEEPERS, true), () => nativeSleeps(SLEEPERS, true)],
      { warmup: 1, trials: 3 },
    );
    row(`${sleepers} concurrent sleep(1): heap per sleeping task`, sleepBytes!, timeoutBytes!, bytes, "lower", NATIVE_BAR);

    const [idleBytes, generatorBytes, nativeBytes] = await interleaved(
      [() => boucleIdleBytes(IDLE_TASKS), () => emptyGeneratorBytes(IDLE_TASKS), () => nativeIdleBytes(IDLE_TASKS)],
      { warmup: 1, trials: 3 },
    );
    row(`idle task parked on a future: heap per task vs async fn on a Promise`, idleBytes!, nativeBytes!, bytes, "lower", NATIVE_BAR);
    row(
      `idle task beyond an empty generator (${generatorBytes!.toFixed(0)} B) vs same for async fn`,
      idleBytes! - generatorBytes!,
      nativeBytes! - generatorBytes!,
      bytes,
      "lower",
      NATIVE_BAR,
    );
  } else {
    notes.push("memory rows skipped: run with node --expose-gc (npm run bench does)");
  }

  const barred = rows.filter((r) => r.bar !== null);
  const missed = barred.filter((r) => !met(r));
  print("## boucle loop benchmark");
  print("");
  for (const line of environment()) print(`- ${line}`);
  print(`- trials: median of ${TRIALS} after ${WARMUP} warm-up runs (sleeps: 5 after 1; memory: 3 after 1), interleaved with native; times are the process's CPU time`);
  print("");
  print(
    table(
      ["case", "boucle", "native", "boucle/native", "bar", "met"],
      rows.map((r) => [
        r.name,
        r.boucle,
        r.native,
        `${r.ratio.toFixed(2)}x`,
        r.bar === null ? "-" : `${r.better === "higher" ? ">=" : "<="} ${r.bar.toFixed(1)}x`,
        r.bar === null ? "-" : met(r) ? "yes" : "**no**",
      ]),
      [1, 2, 3],
    ),
  );
  print("");
  for (const line of notes) print(line);
  print(`${barred.length - missed.length} of ${barred.length} bars met${missed.length > 0 ? `; missed: ${missed.map((r) => r.name).join("; ")}` : ""}`);
  print(`(bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s)`);
  if (missed.length > 0) process.exitCode = 1;
}

await main();
