import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  createTask,
  currentTask,
  formatTaskDump,
  Lock,
  Queue,
  sleep,
  taskGroup,
  type Coro,
  type TaskInfo,
} from "../../../src/loop/index.ts";
import { runVirtual, virtualLoop } from "../helpers.ts";

const execFileAsync = promisify(execFile);

function* sleepLong(): Coro<void> {
  yield* sleep(10_000);
}

function* takeOne(queue: Queue<number>): Coro<number> {
  return yield* queue.get();
}

function* holdThenWait(lock: Lock): Coro<void> {
  yield* lock.acquire();
  yield* sleep(10_000);
}

function* lockAfterOwner(lock: Lock): Coro<void> {
  yield* lock.acquire();
}

function* awaitTask(): Coro<void> {
  const inner = createTask(sleepLong(), { name: "inner" });
  yield* inner;
}

function byName(infos: TaskInfo[], name: string): TaskInfo {
  const info = infos.find((i) => i.name === name);
  if (info === undefined) throw new Error(`no task ${name} in ${infos.map((i) => i.name).join(", ")}`);
  return info;
}

describe("loop.dumpTasks()", () => {
  it("names each task's state, what it is parked on, for how long on the loop's clock, and the generator it stopped in", async () => {
    const { value: infos } = await runVirtual(function* (loop) {
      const lock = new Lock();
      createTask(sleepLong(), { name: "sleeper", priority: 2 });
      createTask(takeOne(new Queue<number>()), { name: "getter" });
      createTask(holdThenWait(lock), { name: "owner" });
      createTask(lockAfterOwner(lock), { name: "locker" });
      createTask(awaitTask(), { name: "outer" });
      yield* sleep(250);
      createTask(sleepLong(), { name: "late" }); // Created, not started: ready.
      const infos = loop.dumpTasks();
      for (const task of loop.allTasks()) if (task !== currentTask()) task.cancel();
      return infos;
    });

    const sleeper = byName(infos, "sleeper");
    expect(sleeper).toMatchObject({ priority: 2, state: "parked", waitingOn: "sleep until 10000.0 ms", waitedMs: 250 });
    expect(sleeper.where).toHaveLength(1);
    expect(sleeper.where[0]).toMatch(/^sleepLong \(test\/loop\/trace\/task-dump\.test\.ts:\d+:\d+\)$/);

    expect(byName(infos, "getter")).toMatchObject({ state: "parked", waitingOn: "queue get", waitedMs: 250 });
    expect(byName(infos, "getter").where[0]).toMatch(/^takeOne /);
    expect(byName(infos, "owner")).toMatchObject({ state: "parked", waitingOn: "sleep until 10000.0 ms" });
    expect(byName(infos, "locker")).toMatchObject({ state: "parked", waitingOn: "lock", waitedMs: 250 });
    expect(byName(infos, "locker").where[0]).toMatch(/^lockAfterOwner /);
    expect(byName(infos, "outer")).toMatchObject({ state: "parked", waitingOn: "Task inner" });
    expect(byName(infos, "inner")).toMatchObject({ state: "parked", parent: null });
    expect(byName(infos, "late")).toMatchObject({ state: "ready", waitingOn: null, waitedMs: null });

    const main = infos.find((i) => i.state === "running");
    expect(main).toBeDefined();
    expect(main!.where).toEqual([]); // A running generator has no suspended location.
    expect(infos[0]).toBe(main); // Running first, then the parked ones.
  });

  it("under tsx, `where` is the line and column of the yield* in the TypeScript source", async () => {
    const fixture = fileURLToPath(new URL("./fixtures/stuck-generator.ts", import.meta.url));
    const source = readFileSync(fixture, "utf8").split("\n");
    const line = source.findIndex((l) => l.includes("// MARK")) + 1;
    const column = source[line - 1]!.indexOf("yield*") + 1;
    const { stdout } = await execFileAsync(process.execPath, ["--import", "tsx", fixture], { timeout: 15_000 });
    const infos = JSON.parse(stdout) as TaskInfo[];
    expect(byName(infos, "marked").where).toEqual([
      `waitsAtTheMarkedLine (test/loop/trace/fixtures/stuck-generator.ts:${line}:${column})`,
    ]);
  });

  it("draws TaskGroup children under the task owning the group", async () => {
    let text = "";
    const { value: infos } = await runVirtual(function* (loop) {
      const conn = createTask(
        taskGroup(function* (group) {
          group.createTask(sleepLong(), { name: "conn-1-writer" });
          group.createTask(takeOne(new Queue<number>()), { name: "conn-1-reader" });
        }),
        { name: "conn-1" },
      );
      yield* sleep(50);
      const infos = loop.dumpTasks();
      text = formatTaskDump(infos);
      conn.cancel();
      return infos;
    });
    const conn = byName(infos, "conn-1");
    expect(conn).toMatchObject({ state: "parked", waitingOn: "task group children", parent: null });
    expect(conn.children.map((c) => c.name).sort()).toEqual(["conn-1-reader", "conn-1-writer"]);
    expect(byName(infos, "conn-1-reader").parent).toBe("conn-1");

    const lines = text.trimEnd().split("\n");
    const at = lines.findIndex((l) => l.startsWith("conn-1 [prio 0] parked 50 ms on task group children"));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at + 1, at + 3).every((l) => l.startsWith("  conn-1-"))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}conn-1-reader \[prio 0\] parked 50 ms on queue get {2}at takeOne \(/));
  });

  it("with taskCreationSites, each task says where it was created, outside src/loop", async () => {
    const { loop } = virtualLoop({ taskCreationSites: true });
    try {
      const infos = await loop.runUntilComplete(
        (function* spawner(): Coro<TaskInfo[]> {
          const child = createTask(sleepLong(), { name: "child" });
          yield* sleep(1);
          const infos = loop.dumpTasks();
          child.cancel();
          return infos;
        })(),
      );
      const child = byName(infos, "child");
      expect(child.createdAt.length).toBeGreaterThan(0);
      expect(child.createdAt[0]).toMatch(/^spawner \(test\/loop\/trace\/task-dump\.test\.ts:\d+:\d+\)$/);
      expect(child.createdAt.some((f) => f.includes("src/loop/"))).toBe(false);
    } finally {
      loop.close();
    }
  });

  it("records no creation site when taskCreationSites is off", async () => {
    const { value: infos } = await runVirtual(function* (loop) {
      const child = createTask(sleepLong(), { name: "child" });
      yield* sleep(1);
      const infos = loop.dumpTasks();
      child.cancel();
      return infos;
    });
    expect(byName(infos, "child").createdAt).toEqual([]);
  });
});
