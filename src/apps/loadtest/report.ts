/**
 * Turns a LoadtestResult into what people read: a verdict, an aligned
 * summary table, or one JSON object for `--json`.
 *
 * Invariant: the verdict is derived here only, so the table, the JSON and
 * the exit code can never disagree about whether a run passed.
 */
import type { Percentiles } from "./histogram.ts";
import type { LoadtestResult } from "./result.ts";

/** Whether a run passed, and if not, why. */
export interface Verdict {
  /** True only if something was sent and nothing was lost, duplicated, reordered, corrupted or errored. */
  passed: boolean;
  /** One short sentence per failure, e.g. `"3 messages lost"`; empty when passed. */
  reasons: string[];
}

/** The `--json` output: the result plus its verdict. */
export interface LoadtestJson extends LoadtestResult {
  /** Derived by {@link verdictOf}; `passed` decides the exit code. */
  verdict: Verdict;
}

const LABEL_WIDTH = 14;
/** Client CPU from which the summary warns that the client may be the bottleneck. */
const CLIENT_BOUND_PERCENT = 90;
/**
 * Shortest run whose client CPU figure the summary judges. Why: over a few
 * milliseconds, start-up work and GC threads make the ratio meaningless
 * (161% for a run that sent nothing).
 */
const MIN_CPU_WINDOW_MS = 1000;
const COLUMN_WIDTH = 10;
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * Judges a run: it passes only if messages were sent and none was lost,
 * duplicated, reordered or corrupted, every client connected, and no error
 * was counted.
 *
 * @example
 * const verdict = verdictOf(result);
 * process.exitCode = verdict.passed ? 0 : 1;
 */
export function verdictOf(result: LoadtestResult): Verdict {
  const reasons: string[] = [];
  const count = (n: number, what: string): void => {
    if (n > 0) reasons.push(`${integer.format(n)} ${n === 1 ? "message" : "messages"} ${what}`);
  };
  if (result.sent === 0) reasons.push("no message was sent");
  else if (result.measuredReceived === 0 && result.received > 0) {
    reasons.push("the measured window is empty: everything arrived during the warm-up (use a shorter --warmup or more --messages)");
  }
  count(result.lost, "lost");
  count(result.duplicated, "duplicated");
  count(result.reordered, "reordered");
  count(result.corrupted, "corrupted");
  if (result.connected < result.clients) {
    reasons.push(`${integer.format(result.clients - result.connected)} of ${integer.format(result.clients)} clients did not connect`);
  }
  for (const [kind, n] of Object.entries(result.errors)) {
    if (n > 0) reasons.push(`${integer.format(n)} ${kind} ${n === 1 ? "error" : "errors"}`);
  }
  const protocol = wrongProtocol(result);
  if (protocol !== null) reasons.unshift(protocol);
  return { passed: reasons.length === 0, reasons };
}

/**
 * When the errors say the server speaks the other mode's protocol, one
 * sentence saying so (first among the reasons), else null.
 */
function wrongProtocol({ mode, errors, connected, clients, port }: LoadtestResult): string | null {
  if (mode === "echo" && (errors["chat-greeting"] ?? 0) > 0) {
    return `the server on port ${port} does not speak the echo protocol: it greets like a chat server (try --mode chat)`;
  }
  if (mode === "chat" && connected === 0 && errors["welcome-timeout"] === clients) {
    return `the server on port ${port} does not speak the chat protocol: it sent no welcome line (an echo server waits for input; try --mode echo)`;
  }
  return null;
}

/**
 * Formats a run as an aligned, human-readable table ending in a verdict line.
 *
 * @example
 * process.stdout.write(formatSummary(result));
 */
export function formatSummary(result: LoadtestResult): string {
  const row = (label: string, value: string): string => `  ${label.padEnd(LABEL_WIDTH)} ${value}`;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const verdict = verdictOf(result);
  const errorKinds = Object.entries(result.errors).filter(([, n]) => n > 0);
  const lines = [
    `boucle loadtest: ${result.mode} mode against ${result.host.includes(",") ? result.host : `${result.host}:${result.port}`} (${result.startedAt})`,
    row("clients", `${integer.format(result.clients)} (${integer.format(result.connected)} connected)`),
    row("message size", `${integer.format(result.messageBytes)} B`),
    row("load", loadDescription(result)),
    row("duration", `${seconds(result.durationMs)} (after ${seconds(result.warmupMs)} warm-up)`),
    row("sent", integer.format(result.sent)),
    row("received", integer.format(result.received)),
    row("expected", integer.format(result.expected)),
    row("lost", integer.format(result.lost)),
    row("duplicated", integer.format(result.duplicated)),
    row("reordered", integer.format(result.reordered)),
    row("corrupted", integer.format(result.corrupted)),
    row("throughput", `${integer.format(result.messagesPerSecond)} msg/s, ${result.megabytesPerSecond.toFixed(2)} MB/s`),
    "",
    row("", ["p50", "p90", "p99", "p99.9", "max", "mean", "count"].map((h) => h.padStart(COLUMN_WIDTH)).join("")),
    row("latency ms", percentileCells(result.latencyMs)),
    row("connect ms", percentileCells(result.connectMs)),
    "",
    row("client cpu", clientCpu(result)),
    row("errors", errorKinds.length === 0 ? "none" : ""),
    ...errorKinds.map(([kind, n]) => row(`  ${kind}`, integer.format(n))),
    "",
    verdict.passed
      ? "PASS: nothing lost, duplicated, reordered or corrupted; no errors"
      : `FAIL: ${verdict.reasons.join("; ")}`,
  ];
  return lines.map((line) => line.trimEnd()).join("\n") + "\n";
}

/**
 * Serialises a run and its verdict as one line of JSON (see
 * {@link LoadtestJson} and the field docs of LoadtestResult).
 */
export function toJson(result: LoadtestResult): string {
  const json: LoadtestJson = { ...result, verdict: verdictOf(result) };
  return JSON.stringify(json);
}

/** The client CPU row: the figure, and a warning only when the run was long enough to say. */
function clientCpu({ clientCpuPercent, sent, warmupMs, durationMs }: LoadtestResult): string {
  if (sent === 0) return "- (nothing was sent)";
  const figure = `${integer.format(clientCpuPercent)}% of one core`;
  if (warmupMs + durationMs < MIN_CPU_WINDOW_MS) return `${figure} (over less than ${MIN_CPU_WINDOW_MS / 1000} s: too short to judge)`;
  if (clientCpuPercent < CLIENT_BOUND_PERCENT) return figure;
  return `${figure} (the load generator was busy: the figures are a lower bound of the server's capacity)`;
}

function loadDescription({ messagesPerClient, ratePerClient }: LoadtestResult): string {
  const count = messagesPerClient === null ? "until the duration ends" : `${integer.format(messagesPerClient)} messages per client`;
  const pace = ratePerClient === null ? "as fast as the window allows" : `at ${integer.format(ratePerClient)} msg/s per client`;
  return `${count}, ${pace}`;
}

function percentileCells(p: Percentiles): string {
  const cells = [p.p50, p.p90, p.p99, p.p999, p.max, p.mean].map(formatMs);
  cells.push(integer.format(p.count));
  return cells.map((cell) => cell.padStart(COLUMN_WIDTH)).join("");
}

/** About four significant digits, so columns stay narrow from 0.001 ms to 60 000 ms. */
function formatMs(ms: number): string {
  if (ms >= 1000) return integer.format(ms);
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 10) return ms.toFixed(2);
  return ms.toFixed(3);
}
