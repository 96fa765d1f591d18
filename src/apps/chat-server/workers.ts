/**
 * `boucle chat-server --workers N`: the primary process forks N workers
 * (node:cluster), which share the listening port and each run a chat server
 * node on the same Redis. The primary serves nobody; it only supervises:
 * restarts a worker that dies, forwards SIGINT/SIGTERM (and SIGUSR1, each
 * worker's task dump), and exits 0 once
 * every worker has exited after a signal. Each worker has an index, from 0,
 * that its replacement keeps (its metrics port is `--metrics-port` plus it).
 */
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../logging/logger.ts";

/** A worker that dies this soon after its start is not restarted at once (ms). */
const RESTART_DELAY_MS = 1000;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
/** Passed on to every worker, which writes its task dump (docs/debugging.md). */
const DUMP_SIGNAL = "SIGUSR1";
/** The environment variable that tells a worker its index. */
const INDEX_VARIABLE = "BOUCLE_WORKER_INDEX";

/**
 * Fork `count` workers running this same command line and supervise them.
 * Resolves with the exit code once they have all exited after a signal.
 */
export function superviseWorkers(count: number, log: Logger): Promise<number> {
  let stopping = false;
  const live = new Set<Worker>();
  return new Promise((resolve) => {
    const fork = (index: number): void => {
      const worker = cluster.fork({ [INDEX_VARIABLE]: String(index) });
      live.add(worker);
      worker.once("exit", (code, signal) => {
        live.delete(worker);
        if (stopping) {
          if (live.size === 0) finish();
          return;
        }
        const pid = worker.process.pid;
        log.warn("worker_exit", `worker ${pid} exited (${signal ?? code}); starting another in ${RESTART_DELAY_MS} ms`, { pid, reason: String(signal ?? code) });
        // Why a delay: a worker that cannot start (Redis away, port taken) must not be restarted in a hot loop.
        setTimeout(() => {
          if (!stopping) fork(index);
        }, RESTART_DELAY_MS);
      });
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      stopping = true;
      for (const worker of live) worker.process.kill(signal);
      if (live.size === 0) finish();
    };
    // Why a listener even for the primary, which has no tasks: without one, Node opens its inspector on SIGUSR1.
    const onDumpSignal = (): void => {
      for (const worker of live) worker.process.kill(DUMP_SIGNAL);
    };
    const finish = (): void => {
      for (const signal of SIGNALS) process.off(signal, onSignal);
      process.off(DUMP_SIGNAL, onDumpSignal);
      resolve(0);
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on(DUMP_SIGNAL, onDumpSignal);
    for (let i = 0; i < count; i++) fork(i);
  });
}

/** This process's worker index: 0 for the first worker, and outside `--workers`. */
export function workerIndex(): number {
  return cluster.isWorker ? Number(process.env[INDEX_VARIABLE] ?? 0) : 0;
}

/** True in the primary of a `--workers` run: the process that must fork rather than serve. */
export function isSupervisor(workers: number): boolean {
  return workers > 1 && cluster.isPrimary;
}

/**
 * In a worker, once it has served: close the channel to the primary, which
 * would otherwise keep the process alive after its server stopped.
 */
export function leaveCluster(): void {
  if (cluster.isWorker) cluster.worker?.disconnect();
}
