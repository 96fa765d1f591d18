/**
 * The TLS client flags shared by `boucle connect` and `boucle loadtest`:
 * `--tls`, `--ca FILE`, `--insecure`.
 */
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
