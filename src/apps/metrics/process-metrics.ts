/**
 * The process basics every Prometheus client library exposes, under the
 * names dashboards already know (`process_*`, `nodejs_*`): memory, CPU
 * time, file descriptors, start time. Read at scrape time only.
 */
import { fileDescriptorLimit, openFileDescriptors } from "../../net/index.ts";
import type { MetricsRegistry } from "./exposition.ts";

const MICROSECONDS_PER_SECOND = 1e6;

/** Register the process families; the descriptor ones only where /proc can tell them. */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", () => process.memoryUsage.rss());
  registry.gauge("nodejs_heap_size_used_bytes", "V8 heap in use, in bytes.", () => process.memoryUsage().heapUsed);
  registry.counter("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / MICROSECONDS_PER_SECOND;
  });
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  registry.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", () => startSeconds);
  if (openFileDescriptors() !== undefined) {
    registry.gauge("process_open_fds", "Open file descriptors.", () => openFileDescriptors() ?? Number.NaN);
  }
  if (fileDescriptorLimit() !== undefined) {
    registry.gauge("process_max_fds", "The limit on open file descriptors (ulimit -n, soft).", () => fileDescriptorLimit() ?? Number.NaN);
  }
}
