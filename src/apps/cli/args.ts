/**
 * Command-line parsing shared by every `boucle` subcommand: Node's
 * util.parseArgs, a generated `--help`, and one clear line on a bad flag.
 */
import { parseArgs } from "node:util";

/**
 * A bad flag or value: the CLI prints `boucle ` + its message as one line
 * and exits 1. Messages start with the subcommand: `chat-server: --port ...`.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Shown in --help, e.g. "port to listen on (default 7777, env BOUCLE_PORT)". */
  help: string;
  /** Placeholder in --help for string options, e.g. "PORT". */
  value?: string;
}

export interface CommandSpec {
  /** e.g. "chat-server" */
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** Positional arguments for the usage line, e.g. "[host:port]". */
  positionals?: string;
  options: Record<string, OptionSpec>;
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** True when --help was given: print `usage(spec)` and exit 0. */
  help: boolean;
}

/** Parse `argv` (after the subcommand) against `spec`. @throws UsageError */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): Parsed {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: spec.positionals !== undefined, strict: true });
    return { values: values as Parsed["values"], positionals, help: values["help"] === true };
  } catch (error) {
    throw new UsageError(`${spec.name}: ${(error as Error).message.split("\n")[0]} (try boucle ${spec.name} --help)`);
  }
}

/** The --help text of a command. */
export function usage(spec: CommandSpec): string {
  const lines = [`usage: boucle ${spec.name} [options]${spec.positionals ? ` ${spec.positionals}` : ""}`, "", spec.summary, "", "options:"];
  const entries = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return [flag, o.help] as const;
  });
  entries.push(["-h, --help", "show this help"]);
  const width = Math.max(...entries.map(([flag]) => flag.length));
  for (const [flag, help] of entries) lines.push(`  ${flag.padEnd(width)}  ${help}`);
  return lines.join("\n") + "\n";
}

/** An integer option within [min, max]. @throws UsageError */
export function intOption(spec: CommandSpec, name: string, raw: string | boolean | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === false) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${spec.name}: --${name} must be an integer from ${min} to ${max}, not "${String(raw)}"`);
  }
  return n;
}
