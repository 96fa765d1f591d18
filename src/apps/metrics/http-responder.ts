/**
 * A small HTTP/1.1 responder on the loop: GET and HEAD of a few fixed
 * paths, each answered from memory by a synchronous route (a metrics
 * scrape, say). Sockets from src/net, one coroutine per connection; it
 * knows nothing of what it serves.
 *
 * Robust to strangers as the chat port is: a request head is bounded in
 * bytes and lines (431 past it) and must arrive within a time (408, or a
 * silent close when nothing came at all); a head that does not parse gets
 * a 400 (505 for another HTTP version) and the connection closed, since its
 * framing cannot be trusted; an unknown path a 404; another method on a
 * known path a 405 with `Allow`; a client that leaves its answers unread
 * past the same time is dropped. Connections are kept alive (HTTP/1.1's
 * default, HTTP/1.0's `Connection: keep-alive`) unless the client says
 * `close` or sends a body, which is never read: the answer then closes
 * the connection. Connections at once are bounded too (503 past it).
 */
import { getRunningLoop, timeout, TimeoutError, type Coro } from "../../loop/index.ts";
import { LimitOverrunError, startServer, type ListenOptions, type StreamReader, type StreamServer, type StreamWriter } from "../../net/index.ts";
import { parseRequestHead, type HttpRequest } from "./http-request.ts";

/** An answer a route gives; the responder adds the framing headers. */
export interface HttpResponse {
  status: number;
  contentType: string;
  body: string;
  /** More headers, e.g. `Allow`. */
  headers?: Readonly<Record<string, string>>;
}

/** Answers one request to its path; synchronous, so a slow route cannot hold a connection open. */
export type HttpRoute = (request: HttpRequest) => HttpResponse;

/** `host` (default 127.0.0.1), `port` (default 0: any free port), `exclusive` as `listen` takes them. */
export interface HttpResponderOptions extends Pick<ListenOptions, "host" | "port" | "exclusive"> {
  /** Path -> route, e.g. `{ "/metrics": scrape }`. */
  routes: Readonly<Record<string, HttpRoute>>;
  /** Longest request head in bytes, request line and headers together (default {@link MAX_HEAD_BYTES}). */
  maxHeadBytes?: number;
  /** Time a request head has to arrive, counted from when the responder starts waiting for it (default {@link HEAD_TIMEOUT_MS}). */
  headTimeoutMs?: number;
  /** Connections at once; one more gets a 503 (default {@link MAX_CONNECTIONS}). */
  maxConnections?: number;
  /** Priority of each connection's task (default {@link RESPONDER_PRIORITY}). */
  priority?: number;
}

/** Why 8 KiB: what a scraper sends is a few hundred bytes; nginx's default buffer for a head is as large. */
export const MAX_HEAD_BYTES = 8 * 1024;
/** Header lines at most; a head of a hundred tiny headers is no scraper's. */
export const MAX_HEADER_LINES = 64;
/** Why 10 s: a scraper sends its head at once; an idle kept-alive connection is closed after as long. */
export const HEAD_TIMEOUT_MS = 10_000;
/** Why 16: a few scrapers and a person with curl; more is someone holding sockets open. */
export const MAX_CONNECTIONS = 16;
/**
 * Lower runs first (src/loop): after every chat task ready in the same
 * iteration (the chat's run at -10 to +1), so a scrape never delays a
 * line; nothing starves, so it still runs in that iteration.
 */
export const RESPONDER_PRIORITY = 10;

const ALLOWED = "GET, HEAD";
const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

/**
 * Listen and answer requests until the server is closed.
 * @throws AddressInUseError or another NetError.
 * @example
 * const http = yield* startHttpResponder({ port: 9464, routes: { "/metrics": () => ({ status: 200, contentType: "text/plain", body: registry.render() }) } });
 * // later: http.close(); http.closeClients(); yield* http.waitClosed();
 */
export function* startHttpResponder(options: HttpResponderOptions): Coro<StreamServer> {
  const maxHeadBytes = options.maxHeadBytes ?? MAX_HEAD_BYTES;
  const limits: HeadLimits = { maxHeadBytes, headTimeoutMs: options.headTimeoutMs ?? HEAD_TIMEOUT_MS };
  const maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  let connections = 0;
  return yield* startServer(
    function* (reader, writer) {
      connections++;
      try {
        if (connections > maxConnections) writer.write(serialize(plain(503, "too many connections\n"), false, false));
        else yield* serveConnection(reader, writer, options.routes, limits);
      } finally {
        connections--;
      }
    },
    { host: options.host, port: options.port, exclusive: options.exclusive, limit: maxHeadBytes, clientPriority: options.priority ?? RESPONDER_PRIORITY },
  );
}

interface HeadLimits {
  maxHeadBytes: number;
  headTimeoutMs: number;
}

/** One connection's requests, one at a time (pipelined ones wait in the reader); startServer closes it afterwards. */
function* serveConnection(reader: StreamReader, writer: StreamWriter, routes: Readonly<Record<string, HttpRoute>>, limits: HeadLimits): Coro<void> {
  for (;;) {
    const progress = { bytes: 0 };
    let head: Head;
    try {
      head = yield* timeout(limits.headTimeoutMs, readHead(reader, limits.maxHeadBytes, progress));
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      // Nothing of a new request came: an idle connection, closed without a word.
      if (progress.bytes === 0 && reader.buffered === 0) return;
      head = { kind: "error", status: 408, reason: "the request head took too long" };
    }
    if (head.kind === "eof") return;
    if (head.kind === "error") {
      writer.write(serialize(plain(head.status, `${head.reason}\n`), false, false));
      return;
    }
    const request = parseRequestHead(head.requestLine, head.headerLines);
    if ("status" in request) {
      writer.write(serialize(plain(request.status, `${request.reason}\n`), false, false));
      return;
    }
    const keepAlive = request.keepAlive && !request.hasBody; // Why: a body we do not read would be taken for the next request.
    writer.write(serialize(answer(request, routes), keepAlive, request.method === "HEAD"));
    if (!keepAlive) return;
    try {
      // A client that sends requests but does not read the answers waits here, as long as for a head.
      yield* timeout(limits.headTimeoutMs, writer.drain());
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      writer.abort(); // It reads nothing: nothing more to say to it.
      return;
    }
  }
}

type Head =
  | { kind: "head"; requestLine: string; headerLines: string[] }
  | { kind: "eof" }
  | { kind: "error"; status: 408 | 431; reason: string };

/** The request line and header lines of the next request, up to the empty line; `progress.bytes` counts what was read. */
function* readHead(reader: StreamReader, maxHeadBytes: number, progress: { bytes: number }): Coro<Head> {
  const tooLarge: Head = { kind: "error", status: 431, reason: `the request head is over ${maxHeadBytes} bytes or ${MAX_HEADER_LINES} lines` };
  let requestLine: string | undefined;
  const headerLines: string[] = [];
  for (;;) {
    let line: Buffer;
    try {
      line = yield* reader.readline();
    } catch (error) {
      if (error instanceof LimitOverrunError) return tooLarge;
      throw error;
    }
    if (line.length === 0) return { kind: "eof" }; // EOF; a head cut short is no request.
    progress.bytes += line.length;
    if (progress.bytes > maxHeadBytes) return tooLarge;
    if (line[line.length - 1] !== 0x0a) return { kind: "eof" };
    const text = line.toString("latin1", 0, line.length - (line.length > 1 && line[line.length - 2] === 0x0d ? 2 : 1));
    if (requestLine === undefined) {
      if (text !== "") requestLine = text; // Why skip: RFC 9112 lets empty lines precede a request.
    } else if (text === "") {
      return { kind: "head", requestLine, headerLines };
    } else if (headerLines.push(text) > MAX_HEADER_LINES) {
      return tooLarge;
    }
  }
}

/** What a parsed request gets: its route's answer, a 404 or a 405. */
function answer(request: HttpRequest, routes: Readonly<Record<string, HttpRoute>>): HttpResponse {
  const route = Object.hasOwn(routes, request.path) ? routes[request.path] : undefined;
  if (route === undefined) return plain(404, `no such path: ${request.path}\n`);
  if (request.method !== "GET" && request.method !== "HEAD") {
    return { ...plain(405, `${request.method} is not allowed here; use GET\n`), headers: { Allow: ALLOWED } };
  }
  try {
    return route(request);
  } catch (error) {
    getRunningLoop().callExceptionHandler({ message: `error in the HTTP route ${request.path}`, exception: error });
    return plain(500, "internal error\n");
  }
}

function plain(status: number, body: string): HttpResponse {
  return { status, contentType: "text/plain; charset=utf-8", body };
}

/** The response's bytes: status line, headers, and the body unless it answers a HEAD. */
function serialize(response: HttpResponse, keepAlive: boolean, headOnly: boolean): Buffer {
  const body = Buffer.from(response.body, "utf8");
  const lines = [
    `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? "Unknown"}`,
    `Content-Type: ${response.contentType}`,
    `Content-Length: ${body.length}`,
    `Date: ${new Date().toUTCString()}`,
    `Cache-Control: no-store`,
    `Connection: ${keepAlive ? "keep-alive" : "close"}`,
  ];
  for (const [name, value] of Object.entries(response.headers ?? {})) lines.push(`${name}: ${value}`);
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return headOnly ? head : Buffer.concat([head, body]);
}
