/**
 * One logger for the servers: every log line is an event with a level, a
 * name and structured fields, written as the text line people read (the
 * default, unchanged from before) or as one JSON object per line for log
 * shippers (`--log-format json`).
 */

export type LogFormat = "text" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

export type LogLevel = "info" | "warn" | "error";

/** What a JSON line carries besides time, level, event and message; absent fields are left out. */
export interface LogFields {
  /** The connection's id (unique per server process). */
  client?: number;
  /** The peer, `host:port` (`[v6]:port`). */
  address?: string;
  nick?: string;
  room?: string;
  /** Why: a refusal's, a disconnect's or an error's. */
  reason?: string;
  [field: string]: string | number | undefined;
}

export interface Logger {
  /**
   * Write one event: `text` is the text format's line (and the JSON
   * object's `msg`), `fields` what a machine would filter on.
   * @example
   * log.log("info", "connect", `connect ${nick} from ${peer}`, { client: 7, nick, address: peer, room: "#lobby" });
   */
  log(level: LogLevel, event: string, text: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  format: LogFormat;
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
  /** Wall clock for the JSON `time`; default Date.now. */
  now?: () => number;
}

/** A logger that drops everything (`--quiet`). */
export const SILENT: Logger = { log: () => {} };

/**
 * @example
 * const log = createLogger({ format: "json" });
 * log.log("warn", "refused", "refused 127.0.0.1:5000: server full", { address: "127.0.0.1:5000", reason: "server full" });
 * // {"time":"2026-12-02T19:00:00.000Z","level":"warn","event":"refused","msg":"refused 127.0.0.1:5000: server full","address":"127.0.0.1:5000","reason":"server full"}
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  if (options.format === "text") return { log: (_level, _event, text) => write(`${text}\n`) };
  const now = options.now ?? Date.now;
  return {
    log: (level, event, text, fields = {}) => {
      const record: Record<string, unknown> = { time: new Date(now()).toISOString(), level, event, msg: text };
      for (const [key, value] of Object.entries(fields)) if (value !== undefined && !(key in record)) record[key] = value;
      write(`${JSON.stringify(record)}\n`);
    },
  };
}
