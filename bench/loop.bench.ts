/**
 * `npm run bench`: boucle's loop against native async/await, same process,
 * same workloads, side by side.
 *
 * Rows:
 * - task switches per second, for 1, 100 and 10 000 tasks each looping on
 *   `yield* release()` and on a bare `yield`, vs async functions looping on
 *   `await null` (creation of the tasks included, about 1 M switches a trial);
 * - a future ping-pong between two tasks (each round: one creates a future,
 *   the other resolves it) vs the same with Promises and their resolvers;
 * - 100 000 concurrent `sleep(1)` tasks: time until all are done, and heap
 *   per sleeping task, vs async functions awaiting a `setTimeout(1)` Promise;
 * - memory per idle task: 100 000 tasks each parked on its own
 *   never-resolved future, minus an empty generator object measured the same
 *   way, vs async functions awaiting a never-settled Promise.
 *
 * Each case is warmed up, then run several trials interleaved with its
 * native twin; the median is reported. Memory rows need `--expose-gc`
 * (the npm script passes it).
 *
 * The bars: task switching >= 1.0x native at 100 tasks, and an idle
 * task under 1 KB beyond its generator.
 */
import { EventLoop, release, sleep, type Coro, type Future } from "../src/loop/index.ts";
import { canCollect, environment, heapAfterGc, interleaved, si, table } from "./lib/measure.ts";

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

/** Milliseconds for `tasks` tasks doing `perTask` switches each. */
async function boucleSwitches(body: (n: number) => Coro<void>, tasks: number, perTask: number): Promise<number> {
  const loop = sharedLoop;
  const start = performance.now();
  await loop.runUntilComplete(
    (function* (): Coro<void> {
      const all: Future<void>[] = [];
      for (let i = 0; i < tasks; i++) all.push(loop.createTask(body(perTask)));
      for (const task of all) yield* task;
    })(),
  );
  const ms = performance.now() - start;
  return ms;
}

async function nativeSwitches(tasks: number, perTask: number): Promise<number> {
  const start = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < tasks; i++) all.push(spinAwait(perTask));
  await Promise.all(all);
  return performance.now() - start;
}

// ---- ping-pong --------------------------------------------------------------------

async function bouclePingPong(rounds: number): Promise<number> {
  const loop = sharedLoop;
  let pending: Future<void> | null = null;
  function* player(): Coro<void> {
    for (let i = 0; i < rounds; i++) {
      const mine = loop.createFuture<void>();
      const theirs = pending;
      pending = mine;
      theirs?.setResult();
      yield* mine;
    }
    if (pending !== null && !pending.done()) pending.setResult();
  }
  const start = performance.now();
  await loop.runUntilComplete(
    (function* (): Coro<void> {
      const a = loop.createTask(player());
      const b = loop.createTask(player());
      yield* a;
      yield* b;
    })(),
  );
  const ms = performance.now() - start;
  return ms;
}

async function nativePingPong(rounds: number): Promise<number> {
  let pending: (() => void) | null = null;
  async function player(): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      let mine!: () => void;
      const promise = new Promise<void>((resolve) => (mine = resolve));
      const theirs = pending;
      pending = mine;
      theirs?.();
      await promise;
    }
    pending?.();
  }
  const start = performance.now();
  await Promise.all([player(), player()]);
  return performance.now() - start;
}

// ---- 100 000 sleeps ------------------------------------------------------------------

function* sleeper(): Coro<void> {
  yield* sleep(1);
}

async function sleepUntilResolved(): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 1));
}

/** Milliseconds until all `n` sleepers are done; with `measure`, heap bytes per sleeper instead. */
async function boucleSleeps(n: number, measure = false): Promise<number> {
  const loop = sharedLoop;
  const all: Future<void>[] = new Array<Future<void>>(n).fill(null as never);
  let perTask = 0;
  const before = measure ? heapAfterGc() : 0;
  const start = performance.now();
  await loop.runUntilComplete(
    (function* (): Coro<void> {
      for (let i = 0; i < n; i++) all[i] = loop.createTask(sleeper());
      yield* release(); // Why: the tasks' first steps run before us in this iteration: all are asleep now.
      if (measure) perTask = (heapAfterGc() - before) / n;
      for (const task of all) yield* task;
    })(),
  );
  const ms = performance.now() - start;
  return measure ? perTask : ms;
}

async function nativeSleeps(n: number, measure = false): Promise<number> {
  const all: Promise<void>[] = new Array<Promise<void>>(n).fill(null as never);
  const before = measure ? heapAfterGc() : 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) all[i] = sleepUntilResolved();
  const perTask = measure ? (heapAfterGc() - before) / n : 0;
  await Promise.all(all);
  const ms = performance.now() - start;
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
  ratio: number;
  better: Better;
}

const rows: Row[] = [];
const verdicts: string[] = [];
const print = (line: string): void => void process.stdout.write(`${line}\n`);

function row(name: string, boucle: number, native: number, unit: (v: number) => string, better: Better): void {
  rows.push({ name, boucle: unit(boucle), native: unit(native), ratio: boucle / native, better });
  process.stderr.write(`  ${name}: ${unit(boucle)} vs ${unit(native)}\n`);
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

async function main(): Promise<void> {
  const profileArg = process.argv.find((arg) => arg.startsWith("--profile="));
  if (profileArg !== undefined) return profile(profileArg.slice("--profile=".length));
  const benchStart = performance.now();
  process.stderr.write("boucle bench: running (about a minute)...\n");

  let switchRatioAt100 = Number.NaN;
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
      row(name, (total / boucleMs!) * 1000, (total / nativeMs!) * 1000, perSecond, "higher");
      if (tasks === 100 && label === "yield* release()") switchRatioAt100 = nativeMs! / boucleMs!;
    }
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
  );

  const [sleepMs, timeoutMs] = await interleaved([() => boucleSleeps(SLEEPERS), () => nativeSleeps(SLEEPERS)], {
    warmup: 1,
    trials: 5,
  });
  row(`${SLEEPERS.toLocaleString("en")} concurrent sleep(1): time to all done vs setTimeout`, sleepMs!, timeoutMs!, millis, "lower");

  if (canCollect) {
    const [sleepBytes, timeoutBytes] = await interleaved(
      [() => boucleSleeps(SLEEPERS, true), () => nativeSleeps(SLEEPERS, true)],
      { warmup: 1, trials: 3 },
    );
    row(`${SLEEPERS.toLocaleString("en")} concurrent sleep(1): heap per sleeping task`, sleepBytes!, timeoutBytes!, bytes, "lower");

    const [idleBytes, generatorBytes, nativeBytes] = await interleaved(
      [() => boucleIdleBytes(IDLE_TASKS), () => emptyGeneratorBytes(IDLE_TASKS), () => nativeIdleBytes(IDLE_TASKS)],
      { warmup: 1, trials: 3 },
    );
    row(`idle task parked on a future: heap per task vs async fn on a Promise`, idleBytes!, nativeBytes!, bytes, "lower");
    const beyond = idleBytes! - generatorBytes!;
    row(`idle task beyond an empty generator (${generatorBytes!.toFixed(0)} B) vs same for async fn`, beyond, nativeBytes! - generatorBytes!, bytes, "lower");
    verdicts.push(`bar: idle task < 1 KB beyond its generator: ${beyond.toFixed(0)} B -> ${beyond < 1024 ? "PASS" : "FAIL"}`);
  } else {
    verdicts.push("memory rows skipped: run with node --expose-gc (npm run bench does)");
  }
  verdicts.unshift(
    `bar: task switching >= 1.0x native at 100 tasks (yield* release()): ${switchRatioAt100.toFixed(2)}x -> ${switchRatioAt100 >= 1 ? "PASS" : "FAIL"}`,
  );

  print("## boucle loop benchmark");
  print("");
  for (const line of environment()) print(`- ${line}`);
  print(`- trials: median of ${TRIALS} after ${WARMUP} warm-up runs (sleeps: 5 after 1; memory: 3 after 1)`);
  print("");
  print(
    table(
      ["case", "boucle", "native", "boucle/native", "better"],
      rows.map((r) => {
        const good = r.better === "higher" ? r.ratio >= 1 : r.ratio <= 1;
        return [r.name, r.boucle, r.native, `${r.ratio.toFixed(2)}x${good ? "" : " !"}`, r.better];
      }),
      [1, 2, 3],
    ),
  );
  print("");
  print("`!` marks a row where boucle does worse than native.");
  for (const line of verdicts) print(line);
  print(`(bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s)`);
}

await main();
