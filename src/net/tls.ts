/**
 * TLS on the same stream API: a `tls.TLSSocket` is a Node socket like any
 * other, so it is registered with the selector ('data', 'drain',
 * 'end'...) and our Socket, StreamReader and
 * StreamWriter drive it unchanged. What TLS adds is the handshake: on the
 * server side the raw accepted socket is wrapped here (the TLSSocket is
 * what gets registered, never the raw one); on the client side `connect`
 * waits for 'secureConnect'. Either way the handshake is bounded by a
 * timeout and its failure is a typed error, never a crash.
 */
import type { Socket as NodeSocket } from "node:net";
import { createSecureContext, TLSSocket, type SecureContext } from "node:tls";
import { CertificateError, formatAddress, TlsHandshakeError, type NetAddress } from "./errors.ts";

/** What a TLS server needs: its certificate chain and private key, PEM. */
export interface TlsServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /**
   * A client that has not finished its handshake after this many ms is
   * dropped with TlsHandshakeError (default TLS_HANDSHAKE_TIMEOUT_MS).
   */
  handshakeTimeoutMs?: number;
}

/** How a TLS client checks the server. */
export interface TlsClientOptions {
  /** Trusted CA certificates, PEM (default: Node's bundled roots). */
  ca?: string | Buffer;
  /** The name the certificate must carry (default: the host, unless it is an IP address). */
  servername?: string;
  /** Default true. False accepts any certificate: for tests and `--insecure` only. */
  rejectUnauthorized?: boolean;
}

/**
 * How long a handshake may take. Why 10 s: a handshake is two round trips;
 * Node's own default (120 s) lets a client that connects and says nothing
 * hold a connection for two minutes.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A server's TLS settings, loaded once (the context is shared by every connection). */
export class TlsServerContext {
  readonly secureContext: SecureContext;
  readonly handshakeTimeoutMs: number;

  /** @throws Error (from Node) when the certificate or key is invalid. */
  constructor(options: TlsServerOptions) {
    this.secureContext = createSecureContext({ cert: options.cert, key: options.key });
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS;
  }

  /** The server side of TLS over an accepted raw socket; the handshake starts with the client's hello. */
  wrap(raw: NodeSocket): TLSSocket {
    return new TLSSocket(raw, { isServer: true, secureContext: this.secureContext });
  }
}

/**
 * Node's certificate verification codes (X509_V_ERR_* names as Node
 * reports them) and the hostname mismatch: a CertificateError rather than
 * a mere failed handshake.
 */
const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
]);

/** The typed error for a failed handshake with `peer`, Node's (or ours) as its cause. */
export function handshakeError(error: Error, peer: NetAddress): TlsHandshakeError {
  if (error instanceof TlsHandshakeError) return error;
  const cause = (error.cause instanceof Error ? error.cause : error) as NodeJS.ErrnoException;
  const code = cause.code ?? (error as NodeJS.ErrnoException).code ?? "ERR_TLS_HANDSHAKE";
  const Kind = CERTIFICATE_CODES.has(code) ? CertificateError : TlsHandshakeError;
  const where = peer.host === undefined ? "" : ` with ${formatAddress(peer.host, peer.port)}`;
  return new Kind(`TLS handshake${where} failed: ${cause.message}`, code, peer, { cause: error });
}
