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

/**
 * Write one event: `text` is the text format's line (and the JSON object's
 * `msg`), `fields` what a machine would filter on.
 */
export type LogMethod = (event: string, text: string, fields?: LogFields) => void;

/**
 * @example
 * log.info("connect", `connect ${nick} from ${peer}`, { client: 7, nick, address: peer, room: "#lobby" });
 */
export interface Logger {
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

export interface LoggerOptions {
  format: LogFormat;
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
  /** Wall clock for the JSON `time`; default Date.now. */
  now?: () => number;
}

const IGNORE: LogMethod = () => {};

/** A logger that drops everything (`--quiet`). */
export const SILENT: Logger = { info: IGNORE, warn: IGNORE, error: IGNORE };

/**
 * @example
 * const log = createLogger({ format: "json" });
 * log.warn("refused", "refused 127.0.0.1:5000: server full", { address: "127.0.0.1:5000", reason: "server_full" });
 * // {"time":"2026-12-02T19:00:00.000Z","level":"warn","event":"refused","msg":"refused 127.0.0.1:5000: server full","address":"127.0.0.1:5000","reason":"server_full"}
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const emit =
    options.format === "text"
      ? (_level: LogLevel, _event: string, text: string): void => write(`${text}\n`)
      : (level: LogLevel, event: string, text: string, fields: LogFields = {}): void => {
          const record: Record<string, unknown> = { time: new Date(now()).toISOString(), level, event, msg: text };
          for (const [key, value] of Object.entries(fields)) if (value !== undefined && !(key in record)) record[key] = value;
          write(`${JSON.stringify(record)}\n`);
        };
  return {
    info: (event, text, fields) => emit("info", event, text, fields),
    warn: (event, text, fields) => emit("warn", event, text, fields),
    error: (event, text, fields) => emit("error", event, text, fields),
  };
}
