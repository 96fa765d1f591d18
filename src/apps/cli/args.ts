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
    const { values, positionals } = parseArgs({ args: joinNegativeValues(spec, argv), options, allowPositionals: spec.positionals !== undefined, strict: true });
    return { values: values as Parsed["values"], positionals, help: values["help"] === true };
  } catch (error) {
    throw new UsageError(`${spec.name}: ${(error as Error).message.split("\n")[0]} (try boucle ${spec.name} --help)`);
  }
}

/**
 * `--port -1` as `--port=-1`. Why: parseArgs refuses a value that starts
 * with a dash as "ambiguous", which hides the real mistake (a negative
 * number) behind a puzzle; given as the value, the option's own check says
 * what range it takes.
 */
function joinNegativeValues(spec: CommandSpec, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : Object.keys(spec.options).find((n) => arg === `-${spec.options[n]!.short}`);
    if (name !== undefined && spec.options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The --help text of a command. */
export function usage(spec: CommandSpec): string {
  const lines = [`usage: boucle ${spec.name} [options]${spec.positionals ? ` ${spec.positionals}` : ""}`, "", spec.summary, "", "options:"];
  const entries = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return [flag, o.help] as const;
  });
  // Why here: cli.ts takes --trace off the arguments before any command sees them.
  entries.push(["    --trace FILE", "write a trace of the command's loop for Perfetto (docs/tracing.md)"]);
  entries.push(["-h, --help", "show this help"]);
  const width = Math.max(...entries.map(([flag]) => flag.length));
  for (const [flag, help] of entries) lines.push(`  ${flag.padEnd(width)}  ${help}`);
  return lines.join("\n") + "\n";
}

/**
 * An integer option within [min, max]: decimal digits only (no `0x`, `1e4`,
 * sign or spaces); absent or empty means `fallback`. @throws UsageError
 */
export function intOption(spec: CommandSpec, name: string, raw: string | boolean | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === false || raw === "") return fallback;
  return decimalInteger(`${spec.name}: --${name}`, raw, min, max);
}

/**
 * The port a command uses: `--port` if given and not empty, else the
 * environment variable `envName` if set and not empty, else `fallback`.
 * Both are strict decimal integers within [min, 65535].
 * @throws UsageError naming the flag or the variable that is wrong
 */
export function portOption(spec: CommandSpec, flag: string | boolean | undefined, envName: string, fallback: number, min = 0, env: NodeJS.ProcessEnv = process.env): number {
  if (flag !== undefined && flag !== false && flag !== "") return intOption(spec, "port", flag, fallback, min, 65_535);
  const fromEnv = environmentValue(env, envName);
  return fromEnv === undefined ? fallback : decimalInteger(`${spec.name}: ${envName}`, fromEnv, min, 65_535);
}

/** `--host` if given and not empty, else `BOUCLE_HOST` if set and not empty, else `fallback`. */
export function hostOption(flag: string | boolean | undefined, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof flag === "string" && flag !== "") return flag;
  return environmentValue(env, "BOUCLE_HOST") ?? fallback;
}

/**
 * An environment variable's value, or undefined when it is unset or empty.
 * Why empty counts as unset: `BOUCLE_PORT= cmd` and a blank line in an env
 * file mean "no value", never port 0 (and no-color.org says the same of NO_COLOR).
 */
export function environmentValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === "" ? undefined : value;
}

/** `raw` as an integer within [min, max]; `label` starts the error ("chat-server: --port"). @throws UsageError */
export function decimalInteger(label: string, raw: string | true, min: number, max: number): number {
  const n = raw === true ? NaN : Number(raw);
  if (raw === true || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(`${label} must be an integer from ${min} to ${max}, not "${String(raw)}"`);
  }
  return n;
}
