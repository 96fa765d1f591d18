/**
 * The servers' observability flags, shared by `chat-server` and
 * `echo-server`: `--metrics-port` / `--metrics-host` (a Prometheus endpoint,
 * off by default, on loopback unless told) and `--log-format text|json`.
 */
import { LOG_FORMATS, type LogFormat } from "../logging/logger.ts";
import { intOption, UsageError, type CommandSpec, type OptionSpec, type Parsed } from "./args.ts";

/** Where the metrics endpoint listens unless `--metrics-host` says: never beyond this machine by default. */
export const DEFAULT_METRICS_HOST = "127.0.0.1";

/** The flags, to spread into a command's `options`. */
export const OBSERVABILITY_FLAGS: Record<string, OptionSpec> = {
  "metrics-port": { type: "string", value: "PORT", help: "serve Prometheus metrics over HTTP on this port (GET /metrics), 0 for any; off by default" },
  "metrics-host": { type: "string", value: "HOST", help: `with --metrics-port: address of the metrics endpoint (default ${DEFAULT_METRICS_HOST})` },
  "log-format": { type: "string", value: "FORMAT", help: "log lines as text (default) or json: one JSON object per line" },
};

export interface MetricsEndpointOptions {
  host: string;
  port: number;
}

/**
 * The endpoint the flags ask for, or null without `--metrics-port`.
 * @throws UsageError for a bad port, or `--metrics-host` alone.
 */
export function metricsEndpointOptions(spec: CommandSpec, values: Parsed["values"]): MetricsEndpointOptions | null {
  const host = values["metrics-host"] as string | undefined;
  const raw = values["metrics-port"] as string | undefined;
  if (raw === undefined || raw === "") {
    if (host !== undefined) throw new UsageError(`${spec.name}: --metrics-host goes with --metrics-port`);
    return null;
  }
  return { host: host || DEFAULT_METRICS_HOST, port: intOption(spec, "metrics-port", raw, 0, 0, 65_535) };
}

/** `--log-format`, default text. @throws UsageError for another value. */
export function logFormatOption(spec: CommandSpec, values: Parsed["values"]): LogFormat {
  const raw = values["log-format"] as string | undefined;
  if (raw === undefined || raw === "") return "text";
  if (!(LOG_FORMATS as readonly string[]).includes(raw)) {
    throw new UsageError(`${spec.name}: --log-format must be ${LOG_FORMATS.join(" or ")}, not "${raw}"`);
  }
  return raw as LogFormat;
}
