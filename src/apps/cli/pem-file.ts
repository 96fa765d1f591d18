/**
 * Reading a PEM file named on the command line (`--tls-cert`, `--ca`...),
 * with one clear line when it can't be read.
 */
import { readFileSync } from "node:fs";
import { UsageError, type CommandSpec } from "./args.ts";

/**
 * The text of `path`, which should hold PEM.
 * @throws UsageError `chat-server: cannot read --tls-cert x.pem: ...` when it can't be read or holds no PEM block.
 * @example
 * const cert = readPemFile(SPEC, "tls-cert", "server.pem");
 */
export function readPemFile(spec: CommandSpec, flag: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new UsageError(`${spec.name}: cannot read --${flag} ${path}: ${reason}`);
  }
  if (!text.includes("-----BEGIN ")) throw new UsageError(`${spec.name}: --${flag} ${path} holds no PEM block`);
  return text;
}
