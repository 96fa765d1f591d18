/**
 * Network errors as values users can catch: each kind has its own class and
 * carries the address it concerns. Node's error is kept as `cause`.
 */
import { TimeoutError } from "../loop/index.ts";

export interface NetAddress {
  host?: string;
  port?: number;
}

/** Base of every network error; `code` is the system code (ECONNRESET...). */
export class NetError extends Error {
  override name = "NetError";
  readonly code: string;
  readonly host: string | undefined;
  readonly port: number | undefined;

  constructor(message: string, code: string, address: NetAddress = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.host = address.host;
    this.port = address.port;
  }
}

export class ConnectionRefusedError extends NetError {
  override name = "ConnectionRefusedError";
}
export class ConnectionResetError extends NetError {
  override name = "ConnectionResetError";
}
export class BrokenPipeError extends NetError {
  override name = "BrokenPipeError";
}
export class AddressInUseError extends NetError {
  override name = "AddressInUseError";
}
/**
 * The process (EMFILE) or the system (ENFILE) is out of file descriptors:
 * an accepted connection was closed at once. The server goes on listening.
 */
export class TooManyOpenFilesError extends NetError {
  override name = "TooManyOpenFilesError";
}
/**
 * A TLS handshake failed (bad hello, wrong protocol, timeout, the peer
 * gone): `host`/`port` say with whom, `cause` holds Node's error.
 */
export class TlsHandshakeError extends NetError {
  override name = "TlsHandshakeError";
}
/** The peer's certificate was refused (untrusted, expired, wrong name); `code` is Node's. */
export class CertificateError extends TlsHandshakeError {
  override name = "CertificateError";
}
/** The socket or server was closed (by us) while an operation waited on it. */
export class ClosedError extends NetError {
  override name = "ClosedError";
}

/** `connect` did not complete within its timeout. */
export class ConnectTimeoutError extends TimeoutError {
  override name = "ConnectTimeoutError";
  readonly host: string;
  /** Undefined for a unix socket, whose path is `host`. */
  readonly port: number | undefined;
  constructor(host: string, port: number | undefined, ms: number) {
    super(`connect to ${formatAddress(host, port)} timed out after ${ms} ms`);
    this.host = host;
    this.port = port;
  }
}

/** asyncio's LimitOverrunError: a line (or separator search) passed the limit. The bytes stay buffered. */
export class LimitOverrunError extends Error {
  override name = "LimitOverrunError";
  constructor(
    message: string,
    /** How many bytes are buffered and were searched. */
    readonly consumed: number,
  ) {
    super(message);
  }
}

/** asyncio's IncompleteReadError: EOF came before the expected bytes; `partial` holds what came. */
export class IncompleteReadError extends Error {
  override name = "IncompleteReadError";
  constructor(
    readonly partial: Buffer,
    readonly expected: number | null,
  ) {
    super(`${partial.length} bytes read before EOF, ${expected === null ? "a separator" : `${expected} bytes`} expected`);
  }
}

const CLASSES: Record<string, typeof NetError> = {
  ECONNREFUSED: ConnectionRefusedError,
  ECONNRESET: ConnectionResetError,
  EPIPE: BrokenPipeError,
  ERR_STREAM_DESTROYED: ClosedError,
  ERR_SOCKET_CLOSED: ClosedError,
  ERR_STREAM_WRITE_AFTER_END: BrokenPipeError,
  EADDRINUSE: AddressInUseError,
  EMFILE: TooManyOpenFilesError,
  ENFILE: TooManyOpenFilesError,
};

/** Turn a Node error into the matching NetError (already typed ones pass through). */
export function toNetError(error: Error, address?: NetAddress): Error {
  if (error instanceof NetError) return error;
  const nodeError = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const code = nodeError.code ?? "EUNKNOWN";
  const where = address ?? { host: nodeError.address, port: nodeError.port };
  const Kind = CLASSES[code] ?? NetError;
  const at = where.host !== undefined ? ` (${formatAddress(where.host, where.port)})` : "";
  return new Kind(`${error.message}${at}`, code, where, { cause: error });
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatAddress(host: string, port?: number): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}
