/**
 * boucle's network layer: Node sockets driven by coroutines on the loop.
 */
export {
  AddressInUseError,
  BrokenPipeError,
  ClosedError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectTimeoutError,
  IncompleteReadError,
  LimitOverrunError,
  NetError,
  CertificateError,
  TlsHandshakeError,
  TooManyOpenFilesError,
  formatAddress,
  type NetAddress,
} from "./errors.ts";
export { EVENT_READ, EVENT_WRITE, Selector, SelectorKey } from "./selector.ts";
export type { ByteSource } from "./receiver.ts";
export { Socket, WRITE_HIGH_WATER } from "./socket.ts";
export { CLOSE_DRAIN_BYTES, CLOSE_DRAIN_MS, type CloseOptions } from "./graceful-close.ts";
export { connect, type ConnectOptions } from "./connect.ts";
export { listen, Server, type ListenOptions } from "./server.ts";
export {
  DEFAULT_LIMIT,
  openConnection,
  StreamReader,
  streamsOf,
  StreamWriter,
  type NextLineOptions,
  type StreamReaderOptions,
} from "./streams.ts";
export { ACCEPT_PRIORITY, startServer, StreamServer, type ConnectionHandler, type StartServerOptions } from "./start-server.ts";
export { openInput } from "./stdin.ts";
export { fileDescriptorLimit, freeFileDescriptors, openFileDescriptors } from "./fd-limit.ts";
export { TLS_HANDSHAKE_TIMEOUT_MS, type TlsClientOptions, type TlsServerOptions } from "./tls.ts";
