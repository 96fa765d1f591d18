/**
 * `boucle chat-server`'s command line: flags, environment and defaults.
 */
import { parseRedisUrl } from "../../redis/index.ts";
import { DEFAULT_QUIET_ROOM_SIZE } from "../chat/hub.ts";
import { readFileSync } from "node:fs";
import { DEFAULT_HISTORY_LINES } from "../chat/history.ts";
import { DEFAULT_FIRST_LINE_MS, DEFAULT_IDLE_MS } from "../chat/liveness.ts";
import { environmentValue, hostOption, intOption, parseCommandArgs, portOption, UsageError, type CommandSpec, type Parsed } from "../cli/args.ts";
import { logFormatOption, metricsEndpointOptions, OBSERVABILITY_FLAGS, type MetricsEndpointOptions } from "../cli/observability-flags.ts";
import { tlsServerFiles, TLS_SERVER_FLAGS } from "../cli/tls-flags.ts";
import { createLogger, SILENT, type LogFormat, type Logger } from "../logging/logger.ts";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 7777;
/** The protocol's maximum of clients at once (docs/PROTOCOL.md). */
export const DEFAULT_MAX_CLIENTS = 10_000;
/** Implicit TLS on its own port, the IRC convention (ircs, RFC 7194). */
export const DEFAULT_TLS_PORT = 6697;
/**
 * Outgoing bytes queued for one client before it counts as a slow reader
 * and is disconnected. Why 1 MiB: thousands of chat lines, far more than a
 * live client ever lags behind, and 10 000 clients times it still fits in RAM.
 */
export const DEFAULT_MAX_QUEUE = 1024 * 1024;
/**
 * Outgoing bytes queued for all clients together before the largest queues
 * are dropped as slow readers. Why 256 MiB: 256 clients lagging a full
 * queue each, and a server that stays well inside a small machine's RAM.
 */
export const DEFAULT_MAX_OUTPUT_MEMORY = 256 * 1024 * 1024;

/**
 * Connections at once per address (an IPv6 /64 counts as one). Why 10: a
 * household or a small office behind one NAT, not one user's 10 000 slots.
 */
export const DEFAULT_MAX_PER_IP = 10;
/** New connections per second per address, sustained, and at once. Why: a reconnect loop gets 1/s. */
export const DEFAULT_CONNECT_RATE = 1;
export const DEFAULT_CONNECT_BURST = 10;
/** A node's lease in Redis: lost after this long without renewal (docs/PROTOCOL.md, several servers). */
export const DEFAULT_LEASE_MS = 10_000;

export const SPEC: CommandSpec = {
  name: "chat-server",
  summary: "Run the chat server (the protocol is in docs/PROTOCOL.md).",
  options: {
    host: { type: "string", value: "HOST", help: `address to listen on (default ${DEFAULT_HOST}, env BOUCLE_HOST)` },
    port: { type: "string", short: "p", value: "PORT", help: `port to listen on, 0 for any (default ${DEFAULT_PORT}, env BOUCLE_PORT)` },
    "max-clients": { type: "string", value: "N", help: `clients at once; one more gets "! server full" (default ${DEFAULT_MAX_CLIENTS})` },
    "max-queue": { type: "string", value: "BYTES", help: `outgoing bytes queued per client before it is dropped as a slow reader (default ${DEFAULT_MAX_QUEUE})` },
    "max-output-memory": { type: "string", value: "BYTES", help: `outgoing bytes queued for all clients together; past it the largest queues are dropped as slow readers (default ${DEFAULT_MAX_OUTPUT_MEMORY})` },
    "max-per-ip": { type: "string", value: "N", help: `connections at once per address, IPv6 by /64, loopback included; one more gets "! too many connections from your address"; 0 no limit (default ${DEFAULT_MAX_PER_IP})` },
    "connect-rate": { type: "string", value: "N", help: `new connections per second per address, sustained; 0 no limit (default ${DEFAULT_CONNECT_RATE})` },
    "connect-burst": { type: "string", value: "N", help: `new connections at once per address before --connect-rate applies (default ${DEFAULT_CONNECT_BURST})` },
    "quiet-room-size": { type: "string", value: "N", help: `rooms above N members get one line of joins and leaves per second instead of one per event (default ${DEFAULT_QUIET_ROOM_SIZE})` },
    "idle-timeout": { type: "string", value: "SECONDS", help: `silence before "* ping TOKEN", and again before closing with "left (ping timeout)"; 0 never (default ${DEFAULT_IDLE_MS / 1000})` },
    "first-line-timeout": { type: "string", value: "SECONDS", help: `time a new connection has to send its first complete line; 0 no bound (default ${DEFAULT_FIRST_LINE_MS / 1000})` },
    history: { type: "string", value: "N", help: `lines of a room replayed to whoever joins it, marked "~ HH:MM"; 0 none (default ${DEFAULT_HISTORY_LINES})` },
    "oper-password-file": { type: "string", value: "FILE", help: "file holding the /oper password (or env BOUCLE_OPER_PASSWORD; never on the command line, where ps shows it)" },
    "no-flood-limit": { type: "boolean", help: "lift the per-client token bucket (for load tests)" },
    "no-priorities": { type: "boolean", help: "run every client at one priority, replies flushed with the rest (to measure what priorities buy)" },
    ...TLS_SERVER_FLAGS, // TLS on its own port, besides the plain one
    "tls-port": { type: "string", value: "PORT", help: `port of the TLS listener, 0 for any (default ${DEFAULT_TLS_PORT})` },
    "no-plain": { type: "boolean", help: "TLS only: no plain-text listener (needs --tls-cert)" },
    quiet: { type: "boolean", short: "q", help: "no log line per connect, disconnect and error" },
    ...OBSERVABILITY_FLAGS, // --metrics-port, --metrics-host, --log-format
    redis: { type: "string", value: "URL", help: "share the chat with every server on this Redis: redis://HOST:PORT[/DB] or unix:///path.sock (env BOUCLE_REDIS_URL)" },
    workers: { type: "string", value: "N", help: "with --redis: run N worker processes on one port (default 1: no workers)" },
    "lease-ms": { type: "string", value: "MS", help: `with --redis: a server silent this long is lost and its members removed (default ${DEFAULT_LEASE_MS})` },
  },
};

export interface ChatServerOptions {
  host: string;
  port: number;
  maxClients: number;
  maxQueueBytes: number;
  maxOutputBytes: number;
  quietRoomSize: number;
  /** Connections at once per address group; 0 no limit. */
  maxPerAddress: number;
  /** New connections per second per address group; 0 no limit. */
  connectsPerSec: number;
  connectBurst: number;
  floodLimit: boolean;
  priorities: boolean;
  /** Lines of history per room; 0 none. */
  historyLines: number;
  /** The `/oper` password, or undefined: no operators. */
  operPassword: string | undefined;
  /** Silence before a ping, and again before closing; 0 never. */
  idleMs: number;
  /** Time for a new connection's first complete line; 0 no bound. */
  firstLineMs: number;
  /** Listen for plain text on `port` (false with `--no-plain`). */
  plain: boolean;
  /** The TLS listener, if any: certificate and key (PEM) and its port. */
  tls: { cert: string; key: string; port: number } | null;
  /** Connects, disconnects, refusals and errors; silent with `--quiet`. */
  log: Logger;
  /** How log lines are written; the listening lines, printed even when quiet, use it too. */
  logFormat: LogFormat;
  /** The Prometheus endpoint (`--metrics-port`), or null: none. */
  metrics: MetricsEndpointOptions | null;
  /** The Redis URL that makes this server one node of a shared chat; undefined: a chat of its own. */
  redisUrl?: string;
  /** Worker processes (node:cluster) on one port; 1: this process serves. */
  workers: number;
  /** With `redisUrl`: this node's lease in ms. */
  leaseMs: number;
}

/** Parsed flags over env over defaults. @throws UsageError */
export function chatServerOptions(parsed: Parsed, env: NodeJS.ProcessEnv = process.env): ChatServerOptions {
  const v = parsed.values;
  const quiet = v["quiet"] === true;
  const logFormat = logFormatOption(SPEC, v);
  const redisUrl = (v["redis"] as string | undefined) || environmentValue(env, "BOUCLE_REDIS_URL");
  if (redisUrl !== undefined) {
    try {
      parseRedisUrl(redisUrl);
    } catch (error) {
      throw new UsageError(`${SPEC.name}: --redis: ${(error as Error).message}`);
    }
  }
  const workers = intOption(SPEC, "workers", v["workers"], 1, 1, 64);
  if (workers > 1 && redisUrl === undefined) {
    throw new UsageError(`${SPEC.name}: --workers needs --redis (workers share one chat through Redis)`);
  }
  const metrics = metricsEndpointOptions(SPEC, v);
  if (metrics !== null && metrics.port !== 0 && metrics.port + workers - 1 > 65_535) {
    throw new UsageError(`${SPEC.name}: --metrics-port ${metrics.port} leaves no room for ${workers} workers' ports (worker k serves on it plus k)`);
  }
  return {
    host: hostOption(v["host"], DEFAULT_HOST, env),
    port: portOption(SPEC, v["port"], "BOUCLE_PORT", DEFAULT_PORT, 0, env),
    maxClients: intOption(SPEC, "max-clients", v["max-clients"], DEFAULT_MAX_CLIENTS, 1),
    maxQueueBytes: intOption(SPEC, "max-queue", v["max-queue"], DEFAULT_MAX_QUEUE, 1024),
    maxOutputBytes: intOption(SPEC, "max-output-memory", v["max-output-memory"], DEFAULT_MAX_OUTPUT_MEMORY, 1024),
    quietRoomSize: intOption(SPEC, "quiet-room-size", v["quiet-room-size"], DEFAULT_QUIET_ROOM_SIZE, 0),
    maxPerAddress: intOption(SPEC, "max-per-ip", v["max-per-ip"], DEFAULT_MAX_PER_IP, 0),
    connectsPerSec: intOption(SPEC, "connect-rate", v["connect-rate"], DEFAULT_CONNECT_RATE, 0),
    connectBurst: intOption(SPEC, "connect-burst", v["connect-burst"], DEFAULT_CONNECT_BURST, 1),
    floodLimit: v["no-flood-limit"] !== true,
    priorities: v["no-priorities"] !== true,
    historyLines: intOption(SPEC, "history", v["history"], DEFAULT_HISTORY_LINES, 0, 10_000),
    operPassword: operPassword(v["oper-password-file"] as string | undefined, env),
    idleMs: secondsOption("idle-timeout", v["idle-timeout"], DEFAULT_IDLE_MS),
    firstLineMs: secondsOption("first-line-timeout", v["first-line-timeout"], DEFAULT_FIRST_LINE_MS),
    plain: v["no-plain"] !== true,
    tls: tlsOptions(v),
    log: quiet ? SILENT : createLogger({ format: logFormat }),
    logFormat,
    metrics,
    redisUrl,
    workers,
    leaseMs: intOption(SPEC, "lease-ms", v["lease-ms"], DEFAULT_LEASE_MS, 500),
  };
}

/**
 * The operator password: the file's first line (a trailing newline is not
 * part of it), else env BOUCLE_OPER_PASSWORD; empty means none.
 * @throws UsageError if the file cannot be read.
 */
function operPassword(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file === undefined) return env["BOUCLE_OPER_PASSWORD"] || undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`${SPEC.name}: cannot read --oper-password-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return text.split(/\r?\n/, 1)[0] || undefined;
}

/** A duration in seconds (decimals allowed, so tests can use 0.3), returned in ms. */
function secondsOption(name: string, raw: string | boolean | undefined, fallbackMs: number): number {
  if (raw === undefined || raw === false) return fallbackMs;
  const seconds = Number(raw);
  if (raw === "" || !Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new UsageError(`${SPEC.name}: --${name} must be a number of seconds from 0 to 86400, not "${String(raw)}"`);
  }
  return Math.round(seconds * 1000);
}

function tlsOptions(v: Parsed["values"]): ChatServerOptions["tls"] {
  const files = tlsServerFiles(SPEC, v);
  if (files === undefined) {
    if (v["no-plain"] === true) throw new UsageError(`${SPEC.name}: --no-plain needs --tls-cert and --tls-key`);
    if (v["tls-port"] !== undefined) throw new UsageError(`${SPEC.name}: --tls-port needs --tls-cert and --tls-key`);
    return null;
  }
  return { ...files, port: intOption(SPEC, "tls-port", v["tls-port"], DEFAULT_TLS_PORT, 0, 65535) };
}

export function parseChatServerArgs(argv: string[]): Parsed {
  return parseCommandArgs(SPEC, argv);
}
