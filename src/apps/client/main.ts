/**
 * `boucle connect [host:port]`: the terminal chat client.
 *
 * Interactive when stdin and stdout are both terminals: raw keyboard, a
 * `> ` input line that incoming messages never garble, coloured nicknames.
 * Otherwise line mode: stdin lines are sent as they come, EOF half-closes,
 * server lines are printed as plain text until the server closes.
 *
 * `--tls` speaks TLS (default port 6697), checking the server's certificate
 * (`--ca FILE` to trust a given CA, `--insecure` to accept any).
 *
 * Exit codes: 0 after /quit, Ctrl-D or the end of piped input once the
 * server has closed, or when the server announced its shutdown and closed;
 * 1 when the connection fails, is refused or is closed by the server
 * first; 130 on Ctrl-C.
 */
import type { ReadStream } from "node:tty";
import { run, type Coro } from "../../loop/index.ts";
import { CertificateError, ConnectTimeoutError, formatAddress, TlsHandshakeError, NetError, openConnection, openInput, type TlsClientOptions } from "../../net/index.ts";
import { environmentValue, parseCommandArgs, usage, UsageError, type CommandSpec } from "../cli/args.ts";
import { parseHostPort } from "../cli/host-port.ts";
import { tlsClientOptions, TLS_CLIENT_FLAGS } from "../cli/tls-flags.ts";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TLS_PORT } from "../chat-server/options.ts";
import { runInteractive, runPiped, type Connection, type Output } from "./session.ts";
import { ChatView } from "./view.ts";

const SPEC: CommandSpec = {
  name: "connect",
  summary:
    `Chat from the terminal: connect to a boucle chat server (default ${DEFAULT_HOST}:${DEFAULT_PORT}).\n` +
    "Type a line and Enter to send it; /help lists the server's commands. Up and Down recall the\n" +
    "lines sent before. /quit or Ctrl-D leaves, Ctrl-C quits at once (exit code 130), Ctrl-Z\n" +
    "suspends (fg resumes). With stdin not a terminal, each input line is sent,\n" +
    "the end of input half-closes, and what the server sends is printed until it closes.\n" +
    `With --tls the default port is ${DEFAULT_TLS_PORT}.\n` +
    "Colours are off with --no-color, NO_COLOR set to anything but empty, or when stdout is not a terminal.",
  positionals: "[host:port]",
  options: {
    "no-color": { type: "boolean", help: "don't colour nicknames and errors" },
    ...TLS_CLIENT_FLAGS, // --tls (default port 6697 then), --ca FILE, --insecure
  },
};

/** Why: a host that drops our SYN would otherwise hang for the OS's ~2 minutes. */
const CONNECT_TIMEOUT_MS = 10_000;

const io: Output = {
  out: (text) => {
    if (text.length > 0) process.stdout.write(text);
  },
  err: (text) => process.stderr.write(text),
};

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandArgs(SPEC, argv);
  if (args.help) {
    process.stdout.write(usage(SPEC));
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError(`connect: one address expected, got ${args.positionals.length} (try boucle connect --help)`);
  const tls = tlsClientOptions(SPEC, args.values);
  // Why BOUCLE_PORT is left out with --tls: it is the plain listener's port.
  const env = tls ? { ...process.env, BOUCLE_PORT: undefined } : process.env;
  const { host, port } = parseHostPort(args.positionals[0] ?? "", { command: "connect", host: DEFAULT_HOST, port: tls ? DEFAULT_TLS_PORT : DEFAULT_PORT }, env);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const color = interactive && args.values["no-color"] !== true && !noColorRequested(process.env);
  return run(client(host, port, tls, interactive, color));
}

/** NO_COLOR as no-color.org defines it: present and not an empty string. */
export function noColorRequested(env: NodeJS.ProcessEnv): boolean {
  return environmentValue(env, "NO_COLOR") !== undefined;
}

/**
 * Ctrl-Z: give the terminal back in cooked mode and stop, as the shell's
 * own Ctrl-Z would; resumes (returns) after `fg`, in raw mode again.
 * Why by hand: in raw mode the terminal sends Ctrl-Z as a byte, not SIGTSTP.
 */
function suspendProcess(stdin: ReadStream): void {
  stdin.setRawMode(false);
  process.kill(process.pid, "SIGTSTP"); // No handler: the default action stops us here until SIGCONT.
  stdin.setRawMode(true);
}

function* client(host: string, port: number, tls: TlsClientOptions | undefined, interactive: boolean, color: boolean): Coro<number> {
  let conn: Connection;
  try {
    const [reader, writer] = yield* openConnection(host, port, { timeoutMs: CONNECT_TIMEOUT_MS, tls });
    conn = { reader, writer };
  } catch (error) {
    if (!(error instanceof NetError || error instanceof ConnectTimeoutError)) throw error;
    io.err(`boucle connect: cannot connect to ${formatAddress(host, port)}: ${describe(error)}\n`);
    return 1;
  }
  const stdin = process.stdin as ReadStream;
  const input = openInput(stdin);
  try {
    if (!interactive) return yield* runPiped(conn, input.reader, io);
    stdin.setRawMode(true);
    try {
      const view = new ChatView({ color, columns: () => process.stdout.columns || 80 });
      return yield* runInteractive(conn, input.reader, view, io, () => suspendProcess(stdin));
    } finally {
      io.out("\r\x1b[2K"); // leave the terminal on a clean line
      stdin.setRawMode(false);
    }
  } finally {
    input.close(); // also unrefs stdin, so an open terminal or pipe doesn't keep us alive
    conn.writer.close();
  }
}

function describe(error: NetError | ConnectTimeoutError): string {
  if (error instanceof ConnectTimeoutError) return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
  if (error instanceof CertificateError) return `${error.message} (trust its CA with --ca FILE, or --insecure)`;
  if (error instanceof TlsHandshakeError) return `${error.message} (is it a TLS port?)`;
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "unknown host";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      return (error.cause instanceof Error ? error.cause.message : error.message) || error.code;
  }
}
