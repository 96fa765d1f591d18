/**
 * The head of an HTTP/1.x request (RFC 9112), parsed strictly: what a small
 * responder needs to answer a scraper right and a stranger clearly. No
 * I/O here; http-responder.ts reads the lines and writes the answers.
 *
 * Strict where leniency is a known attack (request smuggling): whitespace
 * before a header's colon, a folded header line, two Content-Length values
 * that differ, Content-Length beside Transfer-Encoding, or an HTTP/1.1
 * request with no Host or two of them, are all a 400, never a guess.
 */

/** A request head that parsed. */
export interface HttpRequest {
  method: string;
  /** The path of the target, without its query (`/metrics`). */
  path: string;
  /** `1.0` or `1.1`. */
  version: "1.0" | "1.1";
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: ReadonlyMap<string, string>;
  /** Whether the client wants the connection kept after the response. */
  keepAlive: boolean;
  /** Whether a body follows the head (Content-Length above 0, or Transfer-Encoding). */
  hasBody: boolean;
}

/** A head that did not parse: the status to answer with and why, for the body. */
export interface HttpRequestError {
  status: 400 | 505;
  reason: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
/** Visible ASCII, space, tab and obs-text; no other control characters in a field value. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Parse a request line and its header lines (each without its line ending).
 * @example
 * parseRequestHead("GET /metrics HTTP/1.1", ["Host: localhost"]); // { method: "GET", path: "/metrics", keepAlive: true, ... }
 * parseRequestHead("GET /metrics", []); // { status: 400, reason: "malformed request line" }
 */
export function parseRequestHead(requestLine: string, headerLines: readonly string[]): HttpRequest | HttpRequestError {
  const parts = requestLine.split(" ");
  if (parts.length !== 3) return bad("malformed request line");
  const [method, target, versionText] = parts as [string, string, string];
  if (!TOKEN.test(method)) return bad("malformed method");
  const version = VERSION.exec(versionText);
  if (version === null) return bad("malformed HTTP version");
  if (version[1] !== "1") return { status: 505, reason: `HTTP/${version[1]}.${version[2]} is not supported; use HTTP/1.1` };
  const path = targetPath(target);
  if (path === undefined) return bad("malformed request target");
  const headers = new Map<string, string>();
  let hosts = 0;
  for (const line of headerLines) {
    if (line[0] === " " || line[0] === "\t") return bad("folded header lines are not accepted");
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon);
    if (!TOKEN.test(name)) return bad("malformed header line");
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return bad(`control character in header ${name}`);
    const key = name.toLowerCase();
    if (key === "host") hosts++;
    const earlier = headers.get(key);
    headers.set(key, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  const minor = version[2] === "0" ? "1.0" : "1.1";
  if (minor === "1.1" && hosts !== 1) return bad(hosts === 0 ? "an HTTP/1.1 request needs a Host header" : "more than one Host header");
  const body = bodyOf(headers);
  if (typeof body !== "boolean") return body;
  const connection = new Set((headers.get("connection") ?? "").toLowerCase().split(",").map((token) => token.trim()));
  const keepAlive = minor === "1.1" ? !connection.has("close") : connection.has("keep-alive");
  return { method, path, version: minor, headers, keepAlive, hasBody: body };
}

/** The path of an origin-form (`/metrics?x`) or absolute-form (`http://host/metrics`) target. */
function targetPath(target: string): string | undefined {
  if (target.startsWith("/")) {
    const path = target.split("?", 1)[0]!;
    return /^[\x21-\x7e]+$/.test(path) ? path : undefined;
  }
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    return new URL(target).pathname;
  } catch {
    return undefined;
  }
}

/** Whether a body follows; a 400 for framing that could be read two ways. */
function bodyOf(headers: ReadonlyMap<string, string>): boolean | HttpRequestError {
  const lengths = headers.get("content-length");
  const encoding = headers.get("transfer-encoding");
  if (lengths !== undefined && encoding !== undefined) return bad("Content-Length and Transfer-Encoding together");
  if (encoding !== undefined) return true;
  if (lengths === undefined) return false;
  const values = new Set(lengths.split(",").map((value) => value.trim()));
  const [length] = values;
  if (values.size !== 1 || !/^\d+$/.test(length!)) return bad("malformed Content-Length");
  return Number(length) > 0;
}

function bad(reason: string): HttpRequestError {
  return { status: 400, reason };
}
