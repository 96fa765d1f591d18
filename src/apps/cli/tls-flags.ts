/**
 * The TLS flags: the client's (`--tls`, `--ca FILE`, `--insecure`), shared by
 * `boucle connect` and `boucle loadtest`, and the servers' (`--tls-cert
 * FILE`, `--tls-key FILE`), shared by `chat-server` and `echo-server`.
 */
import { createSecureContext } from "node:tls";
import type { TlsClientOptions } from "../../net/index.ts";
import { UsageError, type CommandSpec, type OptionSpec, type Parsed } from "./args.ts";
import { readPemFile } from "./pem-file.ts";

/** The flags, to spread into a command's `options`. */
export const TLS_CLIENT_FLAGS: Record<string, OptionSpec> = {
  tls: { type: "boolean", help: "connect over TLS; the server's certificate is checked against the system's CAs" },
  ca: { type: "string", value: "FILE", help: "with --tls: trust this CA certificate (PEM) instead, e.g. a self-signed server's" },
  insecure: { type: "boolean", help: "with --tls: accept any certificate (encrypted, but anyone could be the server)" },
};

/**
 * What the flags ask for: undefined without `--tls`.
 * @throws UsageError for `--ca` or `--insecure` without `--tls`, both together, or an unreadable `--ca` file.
 * @example
 * const tls = tlsClientOptions(SPEC, parsed.values); // { ca: "-----BEGIN...", rejectUnauthorized: true }
 */
export function tlsClientOptions(spec: CommandSpec, values: Parsed["values"]): TlsClientOptions | undefined {
  const ca = values["ca"] as string | undefined;
  const insecure = values["insecure"] === true;
  if (values["tls"] !== true) {
    if (ca !== undefined || insecure) throw new UsageError(`${spec.name}: --ca and --insecure go with --tls`);
    return undefined;
  }
  if (ca !== undefined && insecure) throw new UsageError(`${spec.name}: --ca or --insecure, not both`);
  return { ca: ca === undefined ? undefined : readPemFile(spec, "ca", ca), rejectUnauthorized: !insecure };
}

/** A server's `--tls-cert FILE` and `--tls-key FILE`, to spread into its `options`. */
export const TLS_SERVER_FLAGS: Record<string, OptionSpec> = {
  "tls-cert": { type: "string", value: "FILE", help: "serve TLS with this certificate chain (PEM); needs --tls-key" },
  "tls-key": { type: "string", value: "FILE", help: "the private key of --tls-cert (PEM)" },
};

/**
 * The certificate and key the server flags name, read and checked to
 * belong together; undefined when neither is given.
 * @throws UsageError when only one is given, a file can't be read, or the pair is invalid.
 * @example
 * const tls = tlsServerFiles(SPEC, parsed.values); // { cert: "-----BEGIN...", key: "-----BEGIN..." }
 */
export function tlsServerFiles(spec: CommandSpec, values: Parsed["values"]): { cert: string; key: string } | undefined {
  const certFile = values["tls-cert"] as string | undefined;
  const keyFile = values["tls-key"] as string | undefined;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new UsageError(`${spec.name}: --tls-cert and --tls-key go together`);
  const cert = readPemFile(spec, "tls-cert", certFile);
  const key = readPemFile(spec, "tls-key", keyFile);
  try {
    createSecureContext({ cert, key }); // Why here: a bad pair is a usage error, said before listening.
  } catch (error) {
    throw new UsageError(`${spec.name}: --tls-cert ${certFile} / --tls-key ${keyFile}: ${(error as Error).message}`);
  }
  return { cert, key };
}
