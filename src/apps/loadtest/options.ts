/**
 * `boucle loadtest` options: the command spec (which also generates
 * `--help`) and its parsing into a validated {@link LoadtestOptions}.
 */
import type { TlsClientOptions } from "../../net/index.ts";
import { hostOption, intOption, parseCommandArgs, portOption, UsageError, type CommandSpec } from "../cli/args.ts";
import { parseHostPort } from "../cli/host-port.ts";
import { tlsClientOptions, TLS_CLIENT_FLAGS } from "../cli/tls-flags.ts";
import { DEFAULT_TLS_PORT } from "../chat-server/options.ts";
import type { LoadtestMode } from "./result.ts";
import { SCENARIO_CLIENTS, SCENARIOS, type Scenario } from "./scenario-options.ts";

/** Everything a run needs, validated; times in ms. */
export interface LoadtestOptions {
  mode: LoadtestMode;
  host: string;
  port: number;
  /** Where the clients connect, client i to `targets[i % length]`: `--targets`, else just host:port. */
  targets: { host: string; port: number }[];
  /** Connect over TLS (`--tls`), or undefined for plain TCP. */
  tls: TlsClientOptions | undefined;
  clients: number;
  /** Messages per client, or null: send until `durationMs` is over. */
  messages: number | null;
  /** Messages/s per client, open loop; 0 = closed loop, `pipeline` in flight. */
  rate: number;
  /** Message body (chat) or echoed line (echo) in bytes, newline excluded. */
  size: number;
  /** Sending time after the warm-up, when `messages` is null. */
  durationMs: number;
  warmupMs: number;
  /** Closed loop: messages in flight per client (echo: awaiting their echo; chat: not yet delivered to every member). */
  pipeline: number;
  /** New connections per second; 0 = all at once. */
  rampPerSecond: number;
  /** Chat room the clients join. */
  room: string;
  /** Give up when nothing arrives for this long while messages are still expected. */
  drainTimeoutMs: number;
  connectTimeoutMs: number;
  json: boolean;
  progress: boolean;
  /** A hostile-crowd scenario instead of the mode's run (scenarios.ts), or null. */
  scenario: Scenario | null;
  /** Scenarios: how long the probe pair is measured at rest, before the attack. */
  restMs: number;
  /** Scenario slow-readers: clients flooding the slow readers' room at the flood limit. */
  flooders: number;
  /** Scenario churn: members leaving and coming back per second. */
  churnPerSecond: number;
}

/** Default window for closed-loop runs, per mode: echo is ping-pong by default. */
export const DEFAULT_PIPELINE: Record<LoadtestMode, number> = { echo: 1, chat: 8 };
/** The chat protocol's line limit (docs/PROTOCOL.md); a body over it would be refused. */
const CHAT_MAX_BODY = 4096 - 24 - 3; // minus "<nick> " for the longest nickname: the delivered line must fit too
const ECHO_MAX_LINE = 1024 * 1024;
/** The chat server's maximum (docs/PROTOCOL.md); the SequenceChecker needs clients^2 x 4 bytes (400 MB here). */
const CHAT_MAX_CLIENTS = 10_000;
const DEFAULT_PORT: Record<LoadtestMode, number> = { chat: 7777, echo: 7007 };
/** The variable each server reads its port from, so a load test finds the server the same shell started. */
const PORT_VARIABLE: Record<LoadtestMode, string> = { chat: "BOUCLE_PORT", echo: "BOUCLE_ECHO_PORT" };
/** Room names per docs/PROTOCOL.md: `#` and 1 to 32 of letters, digits, `_`, `-`. */
const ROOM_PATTERN = /^#[A-Za-z0-9_-]{1,32}$/;

export const COMMAND: CommandSpec = {
  name: "loadtest",
  summary:
    "Load-test a chat or echo server from one process: every client is a task on boucle's loop. " +
    "Every message is checked (chat: per-sender sequence; echo: every byte). " +
    "Exits 0 only if nothing was lost, duplicated, reordered or corrupted and no error happened.",
  options: {
    mode: { type: "string", value: "chat|echo", help: "chat: clients talk in one room; echo: clients check their lines come back (default chat)" },
    host: { type: "string", value: "HOST", help: "server address (default 127.0.0.1, env BOUCLE_HOST)" },
    port: {
      type: "string",
      value: "PORT",
      help: "server port (default 7777 chat, env BOUCLE_PORT; 6697 chat with --tls; 7007 echo, env BOUCLE_ECHO_PORT)",
    },
    targets: {
      type: "string",
      value: "H:P,H:P",
      help: "spread the clients over several servers (one chat through Redis); chat mode then also checks that every receiver saw one order",
    },
    clients: { type: "string", short: "c", value: "N", help: "concurrent connections (default 10)" },
    messages: { type: "string", short: "n", value: "M", help: "messages each client sends; omit to send for --duration instead" },
    rate: {
      type: "string",
      value: "R",
      help: "messages per second per client, open loop: latency counts from each message's scheduled send time, so falling behind shows; 0 = as fast as the --pipeline window allows (default 0)",
    },
    size: { type: "string", value: "B", help: "chat: message body bytes; echo: line bytes, newline excluded (default 64)" },
    duration: { type: "string", short: "d", value: "S", help: "seconds of sending after the warm-up, when --messages is not given (default 10)" },
    warmup: { type: "string", value: "S", help: "first seconds of traffic: checked, but left out of latency and throughput (default 0)" },
    pipeline: {
      type: "string",
      value: "D",
      help: "closed loop: messages in flight per client. echo: lines awaiting their echo (1 = ping-pong, default); chat: messages not yet delivered to every member (default 8)",
    },
    ramp: { type: "string", value: "N/s", help: "open connections at this rate, so the server's SYN queue isn't flooded; 0 = all at once (default 500/s)" },
    room: { type: "string", value: "#ROOM", help: "chat: room the clients join, so other users are left alone (default #loadtest)" },
    "drain-timeout": { type: "string", value: "S", help: "give up when nothing arrives for S seconds while messages are still due; they count as lost (default 5)" },
    "connect-timeout": { type: "string", value: "S", help: "per connection, including the chat welcome (default 10)" },
    ...TLS_CLIENT_FLAGS,
    scenario: {
      type: "string",
      value: "NAME",
      help: `attack a chat server as a hostile crowd (${SCENARIOS.join(", ")}) while a probe pair in its own room measures a line's send-to-receive time, at rest then under attack (docs/loadtest.md)`,
    },
    rest: { type: "string", value: "S", help: "scenarios: seconds the probe is measured at rest first (default 3)" },
    flooders: { type: "string", value: "N", help: "scenario slow-readers: clients sending at the flood limit to the slow readers' room (default 20)" },
    churn: { type: "string", value: "N/s", help: "scenario churn: members leaving and rejoining per second (default 20/s)" },
    json: { type: "boolean", help: "print one JSON object (fields: docs/loadtest.md, src/apps/loadtest/result.ts) instead of the table" },
    "no-progress": { type: "boolean", help: "no progress bar (it is only shown when stderr is a terminal anyway)" },
  },
};

/** The parsed options, or null when `--help` was asked. @throws UsageError */
export function parseOptions(argv: string[]): LoadtestOptions | null {
  const { values, help } = parseCommandArgs(COMMAND, argv);
  if (help) return null;
  const mode = values["mode"] ?? "chat";
  if (mode !== "chat" && mode !== "echo") throw new UsageError(`loadtest: --mode must be chat or echo, not "${String(mode)}"`);
  const room = typeof values["room"] === "string" ? values["room"] : "#loadtest";
  if (!ROOM_PATTERN.test(room)) throw new UsageError(`loadtest: --room must be # and 1 to 32 letters, digits, _ or -, not "${room}"`);
  const scenarioRaw = values["scenario"];
  const scenario = scenarioRaw === undefined ? null : (SCENARIOS as readonly unknown[]).includes(scenarioRaw) ? (scenarioRaw as Scenario) : null;
  if (scenarioRaw !== undefined && scenario === null) {
    throw new UsageError(`loadtest: --scenario must be one of ${SCENARIOS.join(", ")}, not "${String(scenarioRaw)}"`);
  }
  const defaultClients = scenario === null ? 10 : SCENARIO_CLIENTS[scenario];
  const messagesRaw = values["messages"];
  const tls = tlsClientOptions(COMMAND, values);
  const host = hostOption(values["host"], "127.0.0.1");
  // Why no variable with --tls in chat mode: BOUCLE_PORT is the plain listener's port.
  const port =
    tls !== undefined && mode === "chat"
      ? intOption(COMMAND, "port", values["port"], DEFAULT_TLS_PORT, 1, 65_535)
      : portOption(COMMAND, values["port"], PORT_VARIABLE[mode], DEFAULT_PORT[mode], 1);
  // Why an empty environment: a target without host or port takes --host/--port (already over BOUCLE_*), not the variables again.
  const targets =
    typeof values["targets"] === "string"
      ? values["targets"].split(",").map((text) => parseHostPort(text.trim(), { command: "loadtest", host, port }, {}))
      : [{ host, port }];
  const options: LoadtestOptions = {
    mode,
    host: targets.length > 1 ? targets.map((t) => `${t.host}:${t.port}`).join(",") : targets[0]!.host,
    port: targets[0]!.port,
    targets,
    tls,
    clients: intOption(COMMAND, "clients", values["clients"], defaultClients, 1, 100_000),
    messages: messagesRaw === undefined || messagesRaw === "" ? null : intOption(COMMAND, "messages", messagesRaw, 0, 1, 0xffff_fff0),
    rate: secondsLike("rate", values["rate"], 0, 1e6, 1),
    size: intOption(COMMAND, "size", values["size"], 64, 1, mode === "chat" ? CHAT_MAX_BODY : ECHO_MAX_LINE),
    durationMs: secondsLike("duration", values["duration"], 10, 86_400),
    warmupMs: secondsLike("warmup", values["warmup"], 0, 86_400),
    pipeline: intOption(COMMAND, "pipeline", values["pipeline"], DEFAULT_PIPELINE[mode], 1, 1_000_000),
    rampPerSecond: rampOption(values["ramp"]),
    room,
    drainTimeoutMs: secondsLike("drain-timeout", values["drain-timeout"], 5, 3600),
    connectTimeoutMs: secondsLike("connect-timeout", values["connect-timeout"], 10, 3600),
    json: values["json"] === true,
    progress: values["no-progress"] !== true,
    scenario,
    restMs: secondsLike("rest", values["rest"], 3, 3600),
    flooders: intOption(COMMAND, "flooders", values["flooders"], 20, 1, 10_000),
    churnPerSecond: rampOption(values["churn"], "churn", 20),
  };
  if (options.messages === null && options.durationMs <= 0) throw new UsageError("loadtest: --duration must be above 0");
  if (scenario !== null) return options; // The checks below are about the modes' own runs.
  if (mode === "chat" && options.clients > CHAT_MAX_CLIENTS) {
    throw new UsageError(`loadtest: chat mode takes at most ${CHAT_MAX_CLIENTS} clients (the server's limit; the sequence check keeps 4 bytes per pair)`);
  }
  if (mode === "chat" && options.clients < 2) throw new UsageError("loadtest: chat mode needs --clients 2 or more (a message goes to the others)");
  if (options.drainTimeoutMs <= 0 || options.connectTimeoutMs <= 0) throw new UsageError("loadtest: timeouts must be above 0");
  return options;
}

/**
 * A non-negative decimal within [0, max]: seconds (returned in ms), or with
 * `scale` 1 a plain number such as a rate.
 */
function secondsLike(name: string, raw: string | boolean | undefined, fallback: number, max: number, scale = 1000): number {
  if (raw === undefined || raw === false) return fallback * scale;
  const n = Number(raw);
  if (raw === true || raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > max) {
    throw new UsageError(`loadtest: --${name} must be a number from 0 to ${max}, not "${String(raw)}"`);
  }
  return n * scale;
}

/** `--ramp 500/s` or `--ramp 500` (the same for `--churn`). */
function rampOption(raw: string | boolean | undefined, name = "ramp", fallback = 500): number {
  if (raw === undefined || raw === false) return fallback;
  const text = String(raw).replace(/\/s$/, "");
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) throw new UsageError(`loadtest: --${name} must look like ${fallback}/s, not "${String(raw)}"`);
  return n;
}
