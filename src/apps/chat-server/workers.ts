/**
 * `boucle chat-server --workers N`: the primary process forks N workers
 * (node:cluster), which share the listening port and each run a chat server
 * node on the same Redis. The primary serves nobody; it only supervises:
 * restarts a worker that dies, forwards SIGINT/SIGTERM, and exits 0 once
 * every worker has exited after a signal.
 */
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../logging/logger.ts";

/** A worker that dies this soon after its start is not restarted at once (ms). */
const RESTART_DELAY_MS = 1000;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Fork `count` workers running this same command line and supervise them.
 * Resolves with the exit code once they have all exited after a signal.
 */
export function superviseWorkers(count: number, log: Logger): Promise<number> {
  let stopping = false;
  const live = new Set<Worker>();
  return new Promise((resolve) => {
    const fork = (): void => {
      const worker = cluster.fork();
      live.add(worker);
      worker.once("exit", (code, signal) => {
        live.delete(worker);
        if (stopping) {
          if (live.size === 0) finish();
          return;
        }
        const pid = worker.process.pid;
        log.log("warn", "worker_exit", `worker ${pid} exited (${signal ?? code}); starting another in ${RESTART_DELAY_MS} ms`, { pid, reason: String(signal ?? code) });
        // Why a delay: a worker that cannot start (Redis away, port taken) must not be restarted in a hot loop.
        setTimeout(() => {
          if (!stopping) fork();
        }, RESTART_DELAY_MS);
      });
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      stopping = true;
      for (const worker of live) worker.process.kill(signal);
      if (live.size === 0) finish();
    };
    const finish = (): void => {
      for (const signal of SIGNALS) process.off(signal, onSignal);
      resolve(0);
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
    for (let i = 0; i < count; i++) fork();
  });
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
