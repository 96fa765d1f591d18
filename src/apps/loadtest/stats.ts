/**
 * What one load-test run counts while it runs, shared by every client task
 * (they all run on one loop in one thread, so plain fields suffice), and
 * its turning into a {@link LoadtestResult} at the end.
 *
 * Invariant: correctness counters (sent, received, lost...) cover the whole
 * run, warm-up included, so every message is checked; throughput counts
 * what arrives after the warm-up (`measureStartMs`), latency the messages
 * sent after it.
 */
import { ConnectTimeoutError, LimitOverrunError, NetError } from "../../net/index.ts";
import { LatencyRecorder } from "./histogram.ts";
import type { LoadtestOptions } from "./options.ts";
import type { LoadtestResult } from "./result.ts";

export class RunStats {
  readonly latency = new LatencyRecorder();
  /** With `--targets`: latency to receivers on the sender's own server, and on another one. */
  readonly latencySameServer = new LatencyRecorder();
  readonly latencyCrossServer = new LatencyRecorder();
  readonly connect = new LatencyRecorder();
  readonly errors: Record<string, number> = {};
  connected = 0;
  sent = 0;
  /** Every delivered copy (chat) or echoed line (echo), duplicates and corrupted lines included. */
  received = 0;
  duplicated = 0;
  reordered = 0;
  corrupted = 0;
  /** Received (and correct) at or after measureStartMs: what throughput counts. */
  measuredReceived = 0;
  /** Their bytes, newline included. */
  measuredBytes = 0;
  /** Loop time when the measured phase begins (after the warm-up); Infinity until the start. */
  measureStartMs = Infinity;
  /** Loop time of the last receive. */
  lastReceiveMs = 0;
  /**
   * process.cpuUsage() and performance.now() when sending began. Why the
   * real clock here, not the loop's: CPU time is real time, and a virtual
   * clock's elapsed time would make the percentage meaningless.
   */
  #cpuStart: NodeJS.CpuUsage | null = null;
  #cpuStartMs = 0;

  /** Sending begins: start the CPU clock. */
  noteStart(): void {
    this.#cpuStart = process.cpuUsage();
    this.#cpuStartMs = performance.now();
  }

  /** CPU used since `noteStart`, in % of one core. */
  cpuPercent(): number {
    if (this.#cpuStart === null) return 0;
    const used = process.cpuUsage(this.#cpuStart);
    const wallMs = performance.now() - this.#cpuStartMs;
    return wallMs > 0 ? ((used.user + used.system) / 1000 / wallMs) * 100 : 0;
  }

  /** Count one error of `kind` (e.g. "ECONNRESET", "eof", "server-error-line"). */
  addError(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /** Count `error` under its kind. */
  addFailure(error: unknown): void {
    this.addError(errorKind(error));
  }

  /** The final figures; `expected` and `lost` come from the mode. */
  toResult(options: LoadtestOptions, startedAt: Date, expected: number, lost: number): LoadtestResult {
    const durationMs = Number.isFinite(this.measureStartMs) ? Math.max(0, this.lastReceiveMs - this.measureStartMs) : 0;
    const seconds = durationMs / 1000;
    return {
      mode: options.mode,
      host: options.host,
      port: options.port,
      startedAt: startedAt.toISOString(),
      clients: options.clients,
      connected: this.connected,
      messageBytes: options.size,
      messagesPerClient: options.messages,
      ratePerClient: options.rate > 0 ? options.rate : null,
      pipeline: options.rate > 0 ? null : options.pipeline,
      warmupMs: options.warmupMs,
      durationMs,
      sent: this.sent,
      received: this.received,
      expected,
      lost,
      duplicated: this.duplicated,
      reordered: this.reordered,
      corrupted: this.corrupted,
      measuredReceived: this.measuredReceived,
      messagesPerSecond: seconds > 0 ? this.measuredReceived / seconds : 0,
      megabytesPerSecond: seconds > 0 ? this.measuredBytes / 1e6 / seconds : 0,
      latencyMs: this.latency.percentiles(),
      latencyByServerMs: options.targets.length > 1 ? { same: this.latencySameServer.percentiles(), cross: this.latencyCrossServer.percentiles() } : null,
      connectMs: this.connect.percentiles(),
      clientCpuPercent: Math.round(this.cpuPercent()),
      errors: { ...this.errors },
    };
  }
}

/**
 * A short, stable name for an error: the system code for network errors;
 * for any other, its class and message (`RangeError: a line of over ...`),
 * since the class alone says nothing of what happened.
 */
export function errorKind(error: unknown): string {
  if (error instanceof ConnectTimeoutError) return "connect-timeout";
  if (error instanceof NetError) return error.code;
  if (error instanceof LimitOverrunError) return "line-too-long";
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return "unknown";
}
