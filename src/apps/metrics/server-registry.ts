/**
 * The families every boucle server exposes, whatever it serves: its build,
 * the process basics and the event loop's health. An app adds its own.
 */
import type { EventLoop } from "../../loop/index.ts";
import { packageVersion } from "../cli/version.ts";
import { MetricsRegistry } from "./exposition.ts";
import { registerLoopMetrics } from "./loop-metrics.ts";
import { registerProcessMetrics } from "./process-metrics.ts";

/**
 * @example
 * const registry = createServerRegistry(getRunningLoop());
 * registry.counter("boucle_echo_received_bytes_total", "Bytes received.", () => counters.bytes);
 */
export function createServerRegistry(loop: EventLoop): MetricsRegistry {
  const registry = new MetricsRegistry();
  const version = packageVersion();
  registry.labelledGauge("boucle_build_info", "Always 1; its label is the running boucle's version.", "version", () => [[version, 1]]);
  registerProcessMetrics(registry);
  registerLoopMetrics(registry, loop);
  return registry;
}
